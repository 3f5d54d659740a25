"""Any text at all: the parser returns Labels without an exception (hypothesis). Its speed is measured by
`nummus bench parse`, not here: no deadline (the conftest profile), no timing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nummus.ingest.parse import Labels, parse_lot
from nummus.ingest.parse.vocab import load

_v = load()
# words the matchers react to, so that random texts also exercise the period and ruler logic
_VOCAB = sorted({" ".join(k) for m in (_v.rulers, _v.denominations, _v.regions, _v.period_phrases, _v.mints,
                                       _v.noncoin, _v.grades) for k in m.lookup})
_PIECES = st.one_of(
    st.sampled_from(_VOCAB),
    st.sampled_from(["AR", "AV", "Æ", "AE 3", "BC", "AD", "v. Chr.", "n. Chr.", "(", ")", ",", ".", "/", "-",
                     "mm", "g", "h", "°", "RIC", "SNG", "Ex", "As", "as", "Lot of", "century"]),
    st.integers(min_value=-5000, max_value=5000).map(str),
    st.floats(min_value=0, max_value=2000, allow_nan=False).map(lambda f: f"{f:.2f}"),
    st.text(max_size=12),
)
_LOT_LIKE = st.lists(_PIECES, max_size=60).map(" ".join)


def _check(title, description):
    labels = parse_lot(title, description)
    assert isinstance(labels, Labels)
    row = labels.to_row()
    assert row["parser_version"] == labels.parser_version
    if labels.period is not None:
        assert 0 <= labels.period.confidence <= 1


@settings(max_examples=300)
@given(st.text(), st.text())
def test_any_unicode_text(title, description):
    _check(title, description)


@settings(max_examples=300)
@given(_LOT_LIKE, _LOT_LIKE)
def test_lot_like_noise(title, description):
    _check(title, description)


@settings(max_examples=20)
@given(_LOT_LIKE.map(lambda s: (s + " ") * 200))
def test_long_texts(text):
    # a whole page pasted into a description
    _check(text[:200], text)


def test_none_and_control_characters():
    assert parse_lot(None, None).period is None
    assert isinstance(parse_lot("\x00\ufeff\u200b\U0001F600 İstanbul ß ﬁ", "\r\n\t"), Labels)


def test_the_hypothesis_profile_sets_no_deadline():
    # tests/conftest.py: a loaded 2-core machine must not fail an example for being slow
    assert settings.default.deadline is None
