"""From a body and whatever metadata a format gives to a `Cable`: shared by every reader."""

from __future__ import annotations

from cableqa.header import (
    Header,
    canonical_id,
    drop_transmission_noise,
    post_for_indicator,
    split_header,
)
from cableqa.references import merge_listed, parse_reference_line, reference_ids
from cableqa.sections import cut_sections
from cableqa.text import reflow
from cableqa.types import Cable


class NotACable(Exception):
    """The file (or CSV row) is skipped; `str(error)` says why in a few words."""


def derive_doc_id(header: Header) -> str | None:
    """The canonical reference ID from the DE line (or the classification banner) and the year."""
    if not header.year:
        return None
    if header.de_line:
        post = post_for_indicator(header.de_line.indicator)
        if post:
            return canonical_id(header.year, post.code, header.de_line.number)
    if header.banner_post and header.banner_number:
        return canonical_id(header.year, header.banner_post, header.banner_number)
    return None


def assemble(
    body_text: str,
    *,
    source: str,
    header: Header | None = None,
    fallback_id: str = "",
    doc_id: str | None = None,
    subject: str | None = None,
    date: str | None = None,
    released: str | None = None,
    origin: str | None = None,
    classification: str | None = None,
    listed_references: list[str] | None = None,
) -> Cable:
    """Split off the body's header lines, reflow, section. Explicit metadata wins over parsed.

    `listed_references` are the IDs a references column gives (cables.csv); they are
    joined with the REF line's items (`references.merge_listed`).
    """
    lines = body_text.splitlines()
    header, body_lines = split_header(lines, header)
    # Some releases hold only the header; then its lines (SUBJECT, ...) are all the text there is.
    blocks = reflow(body_lines) or reflow(drop_transmission_noise(lines))
    if not blocks:
        raise NotACable("no cable text")
    doc_id = doc_id or derive_doc_id(header) or fallback_id
    if not doc_id:
        raise NotACable("no reference ID")
    routed_post = post_for_indicator(header.de_line.indicator) if header.de_line else None
    body, sections = cut_sections(doc_id, blocks)
    date = date or header.date
    cited = parse_reference_line(header.references_text, doc_id, date)
    if listed_references is not None:
        cited = merge_listed(cited, listed_references)
    return Cable(
        doc_id=doc_id,
        subject=_whole_subject(subject, header.subject),
        date=date,
        released=released,
        origin=origin or (routed_post.origin if routed_post else header.fm_post),
        classification=classification or header.classification,
        tags=header.tags,
        references=reference_ids(cited, header.references_text if listed_references is None else ""),
        source=source,
        body=body,
        sections=sections,
        cited=cited,
    )


def _whole_subject(given: str | None, parsed: str) -> str:
    """The subject a listing gives (the WikiLeaks page's title: the SUBJECT line's first line only),
    or the cable's own SUBJECT when it goes on from there ("... BILATERAL MEETING WITH PRESIDENT SARKOZY ...")."""
    given, parsed = " ".join((given or "").split()), " ".join(parsed.split())
    if given and len(parsed) > len(given) and parsed.casefold().startswith(given.casefold()):
        return parsed
    return given or parsed
