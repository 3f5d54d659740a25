"""The parser on lot texts of every period: post-classical headers in six languages, rulers that share
a name told apart by their dates and states, Hellenistic kings introduced by their kingdom, Republican
moneyers against emperors, dates from centuries, AH and era marks, the new denominations, and the
post-classical corpus (its dev split, and its hold-out at the threshold of its first read)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from nummus.ingest.parse import parse_lot
from nummus.ingest.parse.evaluate import evaluate, load_corpus, same_authority
from nummus.ingest.parse.vocab import VOCAB_DIR, load

CORPUS = Path(__file__).parent / "fixtures" / "parse_corpus_postclassical.jsonl"


def fields(title: str, description: str = "") -> tuple:
    labels = parse_lot(title, description)
    return labels.value("period"), labels.value("denomination"), labels.value("authority")


# --- headers in six languages ------------------------------------------------------------------

@pytest.mark.parametrize("title, period", [
    ("SPAIN. Cob 8 Reales, 1600-1650. Potosí Mint, assayer and date off flan.", "modern"),
    ("KURFÜRSTENTUM SACHSEN. Taler 1667, Dresden.", "modern"),
    ("HERZOGTUM WÜRTTEMBERG. Dukat o.J.", "modern"),
    ("ROYAUME DE FRANCE. Denier tournois, Tours.", "medieval"),
    ("REGNO DI NAPOLI. Carlo II (1674-1700). Tarì 1689.", "modern"),
    ("REINO DE CASTILLA. Blanca, Burgos.", "medieval"),
    ("REPUBLIEK DER VERENIGDE NEDERLANDEN. Zeeland. Leeuwendaalder.", "modern"),
    ("Graafschap Vlaanderen. Dubbele groot, Gent.", "medieval"),
    ("LOW COUNTRIES, Holland. AR Lion Daalder (41mm, 27.13 g).", "modern"),
    ("GERMANY, Hamburg. AR Mark 1664.", "modern"),
])
def test_post_classical_headers_in_six_languages(title, period):
    assert parse_lot(title).value("period") == period


def test_a_heading_word_is_not_read_as_a_coin_or_a_roman_republic():
    assert fields("Ducato di Milano. Testone.")[1] == "testone"           # "Ducato" is the duchy here
    assert parse_lot("Republik Venedig. Zecchino.").value("period") != "roman_republican"
    assert parse_lot("Repubblica di Genova. Scudo 1694.").value("period") == "modern"


# --- same-named rulers, decided by their dates and states ---------------------------------------

@pytest.mark.parametrize("title, authority, period", [
    ("SPAIN. Philip II. 1556-1598. AR 8 Reales (40mm, 27.31 g, 12h). Seville mint.", "Philip II of Spain", "modern"),
    ("KINGS OF MACEDON. Philip II. 359-336 BC. AR Tetradrachm (24mm, 14.35 g, 1h).", "Philip II of Macedon", "greek"),
    ("Philippus II., 247-249. Antoninian, Rom.", "Philip II", "roman_imperial"),
    ("Carlos II (1665-1700). 8 escudos 1699. Sevilla.", "Charles II of Spain", "modern"),
    ("Great Britain, Charles II AR Crown. 1662, Tower mint.", "Charles II of England", "modern"),
    ("RUSSIA. Alexander III. 1881-1894. AR Rouble 1886.", "Alexander III of Russia", "modern"),
    ("Österreich. Franz I. 1804-1835. Konventionstaler 1825 A, Wien.", "Francis I of Austria", "modern"),
    ("RDR. Franz I. Stephan 1745-1765. Konventionstaler 1754, Wien.", "Francis I (Holy Roman Emperor)", "modern"),
    ("FRANCE. François Ier (1515-1547). Teston, Lyon.", "Francis I of France", "modern"),
    ("BELGIUM. Léopold Ier (1831-1865). 5 francs 1849.", "Leopold I of Belgium", "modern"),
    ("CRUSADERS, Cyprus. Henry II. 1285-1324. AR Gros (26mm, 4.62 g, 2h).", "Henry II of Cyprus", "medieval"),
])
def test_same_named_rulers_are_told_apart_by_dates_and_states(title, authority, period):
    labels = parse_lot(title)
    assert (labels.value("authority"), labels.value("period")) == (authority, period)


def test_local_and_latin_forms_of_a_name():
    for name in ("Felipe IV", "Filips IV", "Philipp IV.", "Philippus IV", "Filippo IV"):
        assert parse_lot(f"{name} (1621-1665). Patagon, Antwerpen.").value("authority") == "Philip IV of Spain", name
    for name in ("Lodewijk XIV", "Ludwig XIV.", "Luigi XIV", "Luis XIV"):
        assert parse_lot(f"{name}, 1643-1715. Écu 1709.").value("authority") == "Louis XIV of France", name


def test_a_roman_emperor_named_philip_never_wins_against_1556():
    labels = parse_lot("Philippus I, 1556. Silver coin.")
    assert labels.value("authority") != "Philip I" and labels.value("period") == "modern"
    # a name no ruler of that time bore: the emperor is not counted, and the lot needs review
    labels = parse_lot("Philip the Arab, 1556. Silver coin.")
    assert labels.value("authority") is None and labels.value("period") == "modern" and labels.needs_review


def test_the_date_decides_medieval_or_modern_for_one_ruler():
    assert parse_lot("HRE. Maximilian I. 1493-1519. AR Guldiner 1511, Hall.").value("period") == "modern"
    assert parse_lot("Tirol. Maximilian I. Halbguldiner 1486, Hall.").value("period") == "medieval"


# --- Hellenistic kings introduced by their kingdom ---------------------------------------------

@pytest.mark.parametrize("title, authority", [
    ("Kings of Pergamon, Eumenes II, 197-159 BC. AR Tetradrachm.", "Eumenes II"),
    ("KINGS of BITHYNIA. Nikomedes IV Philopator, 94-74 BC. AR Tetradrachm.", "Nikomedes IV"),
    ("KÖNIGREICH BITHYNIEN. Nikomedes IV. Philopator, 94-74 v. Chr. Tetradrachme.", "Nikomedes IV"),
    ("KINGS of COMMAGENE. Antiochos IV. AD 38-72. Æ (26mm, 15.12 g, 12h).", "Antiochos IV of Commagene"),
    ("SELEUKID KINGS of SYRIA. Antiochos IV Epiphanes. 175-164 BC. AR Tetradrachm.", "Antiochos IV"),
    ("Kings of Cappadocia, Ariarathes IV, 220-163 BC. AR Drachm.", "Ariarathes IV"),
    ("KINGS of PONTUS. Pharnakes I. Circa 185-170 BC. AR Tetradrachm.", "Pharnakes I"),
    ("RE DI MACEDONIA Perseo (179-168 a.C.) Tetradramma", "Perseus"),
    ("Seleukiden. Alexander I. Balas 152-145 v. Chr. Tetradrachme, Antiochia.", "Alexander I Balas"),
    ("BAKTRIA, Greco-Baktrian Kingdom. Demetrios I. 200-185 BC. AR Tetradrachm.", "Demetrios I of Baktria"),
])
def test_kings_of_hellenistic_kingdoms(title, authority):
    labels = parse_lot(title)
    assert (labels.value("period"), labels.value("authority")) == ("greek", authority)


# --- Republican moneyers against emperors -------------------------------------------------------

@pytest.mark.parametrize("title, authority", [
    ("L. Marcius Philippus. 56 BC. AR Denarius (19mm, 3.93 g, 12h). Rome mint.", "L. Marcius Philippus"),
    ("RÖMISCHE REPUBLIK. C. Hosidius C.f. Geta, 68 v. Chr. Denar, Rom.", "C. Hosidius Geta"),
    ("RÖMISCHE REPUBLIK. Ti. Claudius Ti. f. Ap. n. Nero, 79 v. Chr. Denar (serratus), Rom.", "Ti. Claudius Nero"),
    ("P. Licinius Nerva. 113-112 BC. AR Denarius.", "P. Licinius Nerva"),
    ("P. Sulpicius Galba. 69 BC. AR Denarius.", "P. Sulpicius Galba"),
    ("Vibia - C. Vibius C.f. Pansa (90 a.C.) Denario", "C. Vibius Pansa"),
    ("PLAETORIA Denier", "M. Plaetorius Cestianus"),
])
def test_moneyers_beat_emperors_of_the_same_name(title, authority):
    labels = parse_lot(title, "Date : 69 AC." if title.startswith("PLAETORIA") else "")
    assert (labels.value("period"), labels.value("authority")) == ("roman_republican", authority)


def test_an_emperors_name_inside_an_unknown_moneyers_name_does_not_make_it_imperial():
    labels = parse_lot("Ser. Sulpicius Galba. 69 BC. AR Denarius.")
    assert labels.value("period") == "roman_republican" and labels.value("authority") is None


def test_a_bare_republican_year_is_read_for_the_named_moneyer():
    labels = parse_lot("Cn. Domitius Ahenobarbus. Denarius, mint moving with Ahenobarbus 41, AR 19mm, 3.87 g.")
    assert (labels.date_from, labels.value("authority"), labels.reign_from) == (-41, "Cn. Domitius Ahenobarbus", -41)
    labels = parse_lot("L. Philippus. Denarius 113 or 112, AR 19mm, 3.92 g.")
    assert (labels.date_from, labels.date_to, labels.value("authority")) == (-113, -112, "L. Marcius Philippus")


# --- dates: centuries, AH, era marks ---------------------------------------------------------------

@pytest.mark.parametrize("text, start, end", [
    ("Heller o.J. (17. Jahrhundert).", 1601, 1700),
    ("Heller, XVII. Jh.", 1601, 1700),
    ("Double tournois, XVIIe siècle", 1601, 1700),
    ("Obole XIe-XIIe siècle Angers", 1001, 1200),
    ("Soldo, XVII secolo", 1601, 1700),
    ("Dinero. Siglo XIII. Ceca indeterminada.", 1201, 1300),
    ("Sterling, 13e eeuw, Brabant", 1201, 1300),
    ("ENGLAND. AR Halfpenny. 17th century.", 1601, 1700),
    ("SICILIA - Bronzo, III secolo a.C.", -300, -201),
    ("ISLAMIC. AR Dirham. Dated AH 696.", 1296, 1297),
    ("MOROCCO, 'Alawi. Æ Fals. Dated AH 1120.", 1708, 1709),
    ("Ancients: Scandinavia. AR penny. c. 1000 CE.", 1000, 1000),
    ("AR drachm. Ca. 150-100 BCE.", -150, -100),
    ("Follis, 4. Jh. n. Chr., unbestimmte Münzstätte.", 301, 400),
    ("Date : c. 146-145 AC. Tétradrachme.", -146, -145),
    ("Nikomedes II. 149-128 BC. AR Tetradrachm. Dated BE 161 (137/6 BC).", -137, -136),
    ("Philip I Philadelphos. Circa 95/4-76/5 BC. AR Tetradrachm.", -95, -75),
    ("ENGLAND. AR Shilling. Tower mint. Dated MDXLIX.", 1549, 1549),
    ("Imitating a dinar of al-Amir (1101-1130). Struck circa 1148-1187.", 1148, 1187),
    ("Charles II le Chauve 840-877. Denier, Melle.", 840, 877),
    ("The Ptolemies, Ptolemy II Philadelphos, 285-246. Tetradrachm.", -285, -246),
    ("Elizabeth I (1558-1603), Shilling, 5.95g/5h (S 2577; N 1985)", 1558, 1603),
    ("Bayern. Karl Albrecht 1726-1745 (ab 1742 Kaiser Karl VII.). Taler 1740, München.", 1740, 1740),
    ("JEAN II LE BON Franc à cheval 05/12/1360 n.d. s.l.", 1360, 1360),
    ("P. Licinius Nerva, 113 or 112 BC. Denarius, Rome.", -113, -112),
])
def test_dates(text, start, end):
    labels = parse_lot(text)
    assert (labels.date_from, labels.date_to) == (start, end)


def test_period_from_dates_alone():
    assert parse_lot("AR coin, 1600-1650.").value("period") == "modern"
    assert parse_lot("Billon coin, XIII secolo.").value("period") == "medieval"
    assert parse_lot("Copper coin, 17th century.").value("period") == "modern"
    assert parse_lot("Gold coin, dated AH 1223.").value("period") == "islamic"


# --- the new denominations ---------------------------------------------------------------------

@pytest.mark.parametrize("title, denomination", [
    ("FRANCE, Charles VII (1422-1461), Grand blanc à la couronne", "blanc"),
    ("LOUIS XIV Écu aux palmes 1694 Paris", "ecu"),
    ("LOUIS XV Louis d'or aux lunettes 1734 Strasbourg", "louis_dor"),
    ("JEAN II LE BON Franc à cheval 1360", "franc"),
    ("Philippe IV le Bel, Gros tournois", "gros"),
    ("ENGLAND. Edward IV. Groat, London.", "groat"),
    ("ENGLAND. Edward III. AV Noble, London.", "noble"),
    ("ENGLAND. Edward IV. AV Angel, London.", "angel"),
    ("Anne (1702-1714), Shilling, 1711", "shilling"),
    ("Charles I, Halfcrown, Tower mint", "halfcrown"),
    ("George II. AR Crown 1746", "crown"),
    ("Charles II gold Guinea 1679", "guinea"),
    ("Köln, Erzbistum. Pfennig, Köln.", "pfennig"),
    ("Meissen. Breitgroschen, Freiberg.", "groschen"),
    ("Österreich. 20 Kreuzer 1765, Günzburg.", "kreuzer"),
    ("Bern. Batzen 1776.", "batzen"),
    ("Braunschweig. Glockentaler 1643, Zellerfeld.", "thaler"),
    ("Sachsen. Hochzeitstaler 1590, Dresden.", "thaler"),  # a compound the table does not list
    ("SACHSEN. Guldengroschen o.J., Annaberg.", "thaler"),
    ("Schweden. Riksdaler 1642, Stockholm.", "thaler"),
    ("Luzern. Gulden 1714.", "gulden"),
    ("Köln, Erzbistum. Goldgulden o.J., Bonn.", "florin"),
    ("Venezia. Francesco Foscari, 1423-1457. Ducato.", "ducat"),
    ("Holland. Leeuwendaalder 1640.", "leeuwendaalder"),
    ("Spaanse Nederlanden. Philipsdaalder 1567.", "daalder"),
    ("Zeeland. Dukaton of zilveren rijder 1792.", "dukaton"),
    ("Koninkrijk Holland. 50 stuiver 1808, Utrecht.", "stuiver"),
    ("Felipe II. 8 reales. Potosí.", "real"),
    ("Felipe II. Sevilla. 4 escudos.", "escudo"),
    ("Portugal. Afonso V. Cruzado. Lisboa.", "cruzado"),
    ("VENEZIA - Michele Steno - Grosso", "grosso"),
    ("VENEZIA - Michele Steno (1400-1413) - Soldino", "soldo"),
    ("ROMA Pio IX (1846-1878) Lira 1866", "lira"),
    ("ROMA - Sisto V - Scudo d'oro", "scudo"),
    ("VENEZIA Alvise I Mocenigo Zecchino", "zecchino"),
    ("RUSSIA. 5 Kopeks, 1780-EM.", "kopek"),
    ("RUSSIA. Peter I. Rouble 1723.", "rouble"),
    ("UNGARN. Stephan I., 997-1038. Denar, Gran.", "denier"),
    ("RÖMISCHE KAISERZEIT. Traianus, 98-117. Denar, Rom.", "denarius"),
    ("SWEDEN. Gustav II Adolf. Æ 1 Öre 1627.", "ore"),
])
def test_medieval_and_modern_denominations(title, denomination):
    assert parse_lot(title).value("denomination") == denomination


# --- ruler and date in conflict ----------------------------------------------------------------

def test_ruler_and_date_in_conflict_need_review():
    labels = parse_lot("ENGLAND. Henry VIII. AR Groat, dated 1690.")
    assert labels.needs_review and any("does not fit the date" in r for r in labels.review_reasons)
    agree = parse_lot("ENGLAND. Henry VIII. 1509-1547. AR Groat. Tower mint.")
    assert not agree.needs_review


def test_imitations_and_overlords_are_not_the_issuer():
    assert fields("Nürnberg. Reichstaler 1625, mit Titel Ferdinand II.")[2] is None
    assert fields("MEROVINGIANS. AV Tremissis. Marseille mint. In the name of Justinian I, circa 575-585.") == \
        ("medieval", "tremissis", None)


# --- the evaluator: names of the vocabulary ------------------------------------------------------

def test_an_authority_is_compared_through_the_vocabulary():
    assert same_authority("Victoria", "Victoria of Great Britain")
    assert same_authority("Antiochos III the Great", "Antiochos III")
    assert same_authority("Maria Theresia", "Maria Theresa of Austria")
    assert not same_authority("Charles II of Spain", "Charles II of England")
    assert not same_authority("Leopold I", None)


# --- the vocabulary -------------------------------------------------------------------------------

def test_post_classical_rulers_are_consistent():
    states = {r["id"] for r in csv.DictReader(open(VOCAB_DIR / "states.csv", encoding="utf-8"))}
    regions = {r["id"] for r in csv.DictReader(open(VOCAB_DIR / "regions.csv", encoding="utf-8"))}
    given = {r["key"] for r in csv.DictReader(open(VOCAB_DIR / "given_names.csv", encoding="utf-8"))}
    rows = list(csv.DictReader(open(VOCAB_DIR / "rulers_postclassical.csv", encoding="utf-8")))
    assert len({r["id"] for r in rows}) == len(rows) > 800
    for r in rows:
        assert 400 <= int(r["reign_from"]) <= int(r["reign_to"]) <= 1950, r["id"]
        assert r["states"] and set(r["states"].split("|")) <= states, r["id"]
        assert set(re.findall(r"\{(\w+)\}", r["aliases"])) <= given, r["id"]
    for r in csv.DictReader(open(VOCAB_DIR / "rulers.csv", encoding="utf-8")):
        assert not r["states"] or set(r["states"].split("|")) <= regions, r["id"]
    v = load()
    assert v.ruler_rows("Felipe II") and v.ruler_rows("Ludwig XIV.")  # placeholders and the German full stop


# --- the post-classical corpus --------------------------------------------------------------------

def test_postclassical_corpus_is_large_and_split():
    lots = load_corpus(CORPUS)
    assert len(lots) >= 250 and len({lot.id for lot in lots}) == len(lots)
    holdout = [lot for lot in lots if lot.split == "holdout"]
    assert len(holdout) >= len(lots) // 5
    assert {"en", "de", "fr", "it", "es", "nl"} <= {lot.language for lot in lots}


def test_postclassical_corpus_dev_split():
    # in-sample: the rules were tuned on these lots
    ev = evaluate([lot for lot in load_corpus(CORPUS) if lot.split == "dev"])
    assert ev.period_accuracy >= 0.97, [m for m in ev.misses if m.field == "period"]
    assert ev.denomination_accuracy >= 0.95
    assert ev.authority_accuracy >= 0.95
    assert ev.date_accuracy >= 0.95
    for name, m in ev.measures.items():
        assert m["exact"] >= m["stated"] - 1, (name, [x for x in ev.misses if x.field == name])


def test_postclassical_corpus_holdout_split():
    # thresholds fixed at the first read of the hold-out (parse-2.0.0 at commit 0b6e9a1: period 0.9765,
    # denomination 0.9753, authority 0.9275, date 0.9529, measures 140/140); never raised to fit later rules
    ev = evaluate([lot for lot in load_corpus(CORPUS) if lot.split == "holdout"])
    assert ev.period_accuracy >= 0.97, [m for m in ev.misses if m.field == "period"]
    assert ev.denomination_accuracy >= 0.97
    assert ev.authority_accuracy >= 0.92
    assert ev.date_accuracy >= 0.95
    for name, m in ev.measures.items():
        assert m["exact"] == m["stated"], (name, [x for x in ev.misses if x.field == name])
