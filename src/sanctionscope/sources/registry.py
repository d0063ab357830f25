"""The sources sanctionscope knows: who publishes them, where, in which formats, and how to treat them.

`SOURCES` is the declarative table the CLI, `update`, resolving, the index and the README draw
on: adding a source touches this table and its parser only. `JURISDICTIONS` holds the facts of
the governments behind the sources (display order, chart colour). `formats()` lists the
native-format parsers in the order they are tried.
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
    #: which source names a subject its records share (its caption): the lowest rank present
    caption_rank: int = 99
    #: which feed names a designation published in several feeds under one number (lower first)
    feed_rank: int = 1
    #: the numbering its record ids belong to: two records of one numbering are two subjects
    #: ("" = the source's own; OFAC's lists and trade.gov's copies of them share one)
    numbering: str = ""
    #: ids are "<scope>#<entry>" and each scope numbers its own entries (one EU regulation each)
    numbered_per_scope: bool = False


class UnknownSource(ValueError):
    """A source name the registry does not know; the message lists the known ones."""

    def __init__(self, name: str):
        super().__init__(f"unknown source {name!r}; known sources: {', '.join(SOURCES)}")


@dataclass(frozen=True)
class JurisdictionInfo:
    code: str
    name: str
    #: colour of its line in coverage charts, stable across charts
    colour: str


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
            caption_rank=0, feed_rank=0, numbering="us_ofac",
        ),
        SourceInfo(
            "us_ofac_cons",
            "us",
            "OFAC Consolidated (non-SDN) Sanctions List",
            "US Treasury, Office of Foreign Assets Control",
            ("https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",),
            ("ofac_csv", "ofac_xml", "ofac_enhanced_xml"),
            caption_rank=1, feed_rank=0, numbering="us_ofac",
        ),
        SourceInfo(
            "us_trade_csl",
            "us",
            "Consolidated Screening List",
            "US International Trade Administration",
            ("https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",),
            ("trade_csl",),
            feed_rank=2, numbering="us_ofac",
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
            caption_rank=6,
        ),
        SourceInfo(
            "eu_fsf",
            "eu",
            "EU Financial Sanctions File (consolidated list)",
            "European Commission, DG FISMA",
            (
                (
                    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
                    "?token=dG9rZW4tMjAxNw"
                ),
            ),
            ("eu_fsf_xml",),
            caption_rank=3,
        ),
        SourceInfo(
            "eu_journal",
            "eu",
            "EU regulation annexes (OpenSanctions transcription of the Official Journal)",
            "OpenSanctions, from the EU Official Journal",
            (),
            ("eu_journal_csv",),
            caption_rank=2, numbered_per_scope=True,
        ),
        SourceInfo(
            "gb_fcdo",
            "gb",
            "UK Sanctions List",
            "UK Foreign, Commonwealth & Development Office",
            ("https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",),
            ("gb_fcdo_xml",),
            caption_rank=4,
        ),
        SourceInfo(
            "gb_ofsi",
            "gb",
            "UK Consolidated List of Asset Freeze Targets (OFSI, until January 2026)",
            "HM Treasury, Office of Financial Sanctions Implementation",
            (),
            ("gb_ofsi_table",),
            caption_rank=5,
        ),
        SourceInfo(
            "ca_sema",
            "ca",
            "Consolidated Canadian Autonomous Sanctions List (SEMA)",
            "Global Affairs Canada",
            (
                (
                    "https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-"
                    "relations_internationales/sanctions/sema-lmes.xml"
                ),
            ),
            ("ca_sema_xml",),
            caption_rank=8,
        ),
        SourceInfo(
            "ch_seco",
            "ch",
            "Swiss sanctions list (SESAM)",
            "State Secretariat for Economic Affairs SECO",
            (
                (
                    "https://www.sesam.search.admin.ch/sesam-search-web/pages/downloadXmlGesamtliste.xhtml"
                    "?lang=en&action=downloadXmlGesamtlisteAction"
                ),
            ),
            ("ch_seco_xml",),
            caption_rank=7,
        ),
        SourceInfo(
            "au_dfat",
            "au",
            "Australian Consolidated Sanctions List",
            "Department of Foreign Affairs and Trade",
            ("https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",),
            ("au_dfat_xlsx",),
            caption_rank=9,
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
    "sanctionscope.sources.gb_ofsi",
    "sanctionscope.sources.ca_sema",
    "sanctionscope.sources.ch_seco",
    "sanctionscope.sources.au_dfat",
    "sanctionscope.sources.ftm",
)


@cache
def formats() -> tuple[Format, ...]:
    return tuple(importlib.import_module(module).FORMAT for module in FORMAT_MODULES)


#: the governments behind the sources, in the order reports show them (others follow alphabetically)
JURISDICTIONS: dict[str, JurisdictionInfo] = {
    info.code: info
    for info in (
        JurisdictionInfo("us", "United States", "#1f4e9c"),
        JurisdictionInfo("eu", "European Union", "#f2a900"),
        JurisdictionInfo("gb", "United Kingdom", "#c8102e"),
        JurisdictionInfo("ca", "Canada", "#d52b1e"),
        JurisdictionInfo("ua", "Ukraine", "#0057b7"),
        JurisdictionInfo("au", "Australia", "#00843d"),
        JurisdictionInfo("ch", "Switzerland", "#7a1f1f"),
        JurisdictionInfo("un", "United Nations", "#5b92e5"),
        JurisdictionInfo("jp", "Japan", "#bc002d"),
        JurisdictionInfo("nz", "New Zealand", "#00247d"),
    )
}


def source_info(name: str) -> SourceInfo:
    """The registry entry of a source; UnknownSource (naming the known ones) if there is none."""
    info = SOURCES.get(name)
    if info is None:
        raise UnknownSource(name)
    return info


def jurisdiction_of(source: str) -> str:
    info = SOURCES.get(source)
    return info.jurisdiction if info else "xx"


def caption_rank(source: str) -> int:
    info = SOURCES.get(source)
    return info.caption_rank if info else 99


def feed_rank(source: str) -> int:
    info = SOURCES.get(source)
    return info.feed_rank if info else 1


def numbering_of(referent: str) -> str:
    """The numbering a record id belongs to ("us_ofac", "eu_journal:32020R1998", "un_sc", ...)."""
    source, _, record_id = referent.partition(":")
    info = SOURCES.get(source)
    if info is None:
        return source
    if info.numbered_per_scope:
        return f"{source}:{record_id.split('#', 1)[0]}"
    return info.numbering or source


def jurisdiction_colour(code: str) -> str | None:
    info = JURISDICTIONS.get(code)
    return info.colour if info else None


def ordered_jurisdictions(present: set[str]) -> list[str]:
    """The codes in display order: the known ones as `JURISDICTIONS` lists them, then the rest alphabetically."""
    known = [code for code in JURISDICTIONS if code in present]
    return known + sorted(present - set(known))
