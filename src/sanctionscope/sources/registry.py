"""The sources sanctionscope knows: who publishes them, where, in which formats.

`SOURCES` is the declarative table the CLI, `update` and the README draw on;
`formats()` lists the native-format parsers in the order they are tried.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from sanctionscope.sources.base import Format


@dataclass(frozen=True)
class SourceInfo:
    name: str
    jurisdiction: str
    title: str
    publisher: str
    #: official download URLs `update` fetches (empty: load local files only)
    urls: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()


SOURCES: dict[str, SourceInfo] = {
    info.name: info
    for info in (
        SourceInfo(
            "us_ofac_sdn",
            "us",
            "OFAC Specially Designated Nationals (SDN) List",
            "US Treasury, Office of Foreign Assets Control",
            ("https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",),
            ("ofac_csv", "ofac_xml", "ofac_enhanced_xml"),
        ),
        SourceInfo(
            "us_ofac_cons",
            "us",
            "OFAC Consolidated (non-SDN) Sanctions List",
            "US Treasury, Office of Foreign Assets Control",
            ("https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",),
            ("ofac_csv", "ofac_xml", "ofac_enhanced_xml"),
        ),
        SourceInfo(
            "us_trade_csl",
            "us",
            "Consolidated Screening List",
            "US International Trade Administration",
            ("https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",),
            ("trade_csl",),
        ),
        SourceInfo(
            "us_bis_dpl",
            "us",
            "Denied Persons List",
            "US Commerce, Bureau of Industry and Security",
            ("https://www.bis.doc.gov/dpl/dpl.txt",),
            ("bis_dpl",),
        ),
        SourceInfo(
            "un_sc",
            "un",
            "UN Security Council Consolidated List",
            "United Nations Security Council",
            ("https://scsanctions.un.org/resources/xml/en/consolidated.xml",),
            ("un_xml",),
        ),
        SourceInfo(
            "eu_fsf",
            "eu",
            "EU Financial Sanctions File (consolidated list)",
            "European Commission, DG FISMA",
            (
                "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
                "?token=dG9rZW4tMjAxNw",
            ),
            ("eu_fsf_xml",),
        ),
        SourceInfo(
            "eu_journal",
            "eu",
            "EU regulation annexes (OpenSanctions transcription of the Official Journal)",
            "OpenSanctions, from the EU Official Journal",
            (),
            ("eu_journal_csv",),
        ),
        SourceInfo(
            "gb_fcdo",
            "gb",
            "UK Sanctions List",
            "UK Foreign, Commonwealth & Development Office",
            ("https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",),
            ("gb_fcdo_xml",),
        ),
        SourceInfo(
            "ca_sema",
            "ca",
            "Consolidated Canadian Autonomous Sanctions List (SEMA)",
            "Global Affairs Canada",
            (
                "https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-"
                "relations_internationales/sanctions/sema-lmes.xml",
            ),
            ("ca_sema_xml",),
        ),
        SourceInfo(
            "ch_seco",
            "ch",
            "Swiss sanctions list (SESAM)",
            "State Secretariat for Economic Affairs SECO",
            (
                "https://www.sesam.search.admin.ch/sesam-search-web/pages/downloadXmlGesamtliste.xhtml"
                "?lang=en&action=downloadXmlGesamtlisteAction",
            ),
            ("ch_seco_xml",),
        ),
        SourceInfo(
            "au_dfat",
            "au",
            "Australian Consolidated Sanctions List",
            "Department of Foreign Affairs and Trade",
            ("https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",),
            ("au_dfat_xlsx",),
        ),
        SourceInfo(
            "ftm",
            "xx",
            "FollowTheMoney entities (OpenSanctions exports and other FtM data)",
            "various",
            (),
            ("ftm_json",),
        ),
    )
}

#: modules that define one `Format` each as `FORMAT`, in the order detection tries them
FORMAT_MODULES: tuple[str, ...] = (
    "sanctionscope.sources.ofac_csv",
    "sanctionscope.sources.ofac_xml",
    "sanctionscope.sources.ofac_enhanced",
    "sanctionscope.sources.trade_csl",
    "sanctionscope.sources.bis_dpl",
    "sanctionscope.sources.un_xml",
    "sanctionscope.sources.eu_fsf",
    "sanctionscope.sources.eu_journal",
    "sanctionscope.sources.gb_fcdo",
    "sanctionscope.sources.ca_sema",
    "sanctionscope.sources.ch_seco",
    "sanctionscope.sources.au_dfat",
    "sanctionscope.sources.ftm",
)


@cache
def formats() -> tuple[Format, ...]:
    return tuple(importlib.import_module(module).FORMAT for module in FORMAT_MODULES)


def jurisdiction_of(source: str) -> str:
    info = SOURCES.get(source)
    return info.jurisdiction if info else "xx"
