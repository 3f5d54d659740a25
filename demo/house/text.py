"""Dealer-style lot texts in English and German, in several houses' styles, from a lot's attributes.

A style fixes the language, the currency and the way a cataloguer writes: CNG-like ("Trajan.
AD 98-117. AR Denarius (19mm, 3.30 g, 6h). Rome mint. ..."), NAC/Leu-like, a marketplace
listing, Künker-like and Gorny-like German. Descriptions of the designs follow the drawn
devices, so what the text says is what the photo shows."""

from __future__ import annotations

import random

from pydantic import BaseModel

from nummus.demo.house.types import CoinType, Face

STYLES: dict[str, dict[str, str]] = {
    "cng": {"language": "en", "currency": "USD"},
    "nac": {"language": "en", "currency": "CHF"},
    "market": {"language": "en", "currency": "GBP"},
    "kuenker": {"language": "de", "currency": "EUR"},
    "gorny": {"language": "de", "currency": "EUR"},
}

DENOMINATIONS: dict[str, tuple[str, str]] = {
    "denarius": ("Denarius", "Denar"), "antoninianus": ("Antoninianus", "Antoninian"), "aureus": ("Aureus", "Aureus"),
    "sestertius": ("Sestertius", "Sesterz"), "dupondius": ("Dupondius", "Dupondius"), "as": ("As", "As"),
    "quinarius": ("Quinarius", "Quinar"), "siliqua": ("Siliqua", "Siliqua"), "solidus": ("Solidus", "Solidus"),
    "follis": ("Follis", "Follis"), "ae3": ("Æ3", "Kleinbronze (AE3)"), "ae4": ("Æ4", "Kleinbronze (AE4)"),
    "tetradrachm": ("Tetradrachm", "Tetradrachme"), "didrachm": ("Didrachm", "Didrachme"),
    "drachm": ("Drachm", "Drachme"), "stater": ("Stater", "Stater"), "histamenon": ("Histamenon", "Histamenon"),
    "hyperpyron": ("Hyperpyron", "Hyperpyron"), "dirham": ("Dirham", "Dirham"), "dinar": ("Dinar", "Dinar"),
    "fals": ("Fals", "Fals"), "penny": ("Penny", "Penny"), "groat": ("Groat", "Groschen"),
    "thaler": ("Thaler", "Taler"), "ducat": ("Ducat", "Dukat"), "siglos": ("Siglos", "Siglos"),
    "daric": ("Daric", "Dareikos"),
}
METAL_ABBR = {"ar": "AR", "av": "AV", "ae": "Æ", "billon": "BI", "el": "EL", "cu": "Cu"}
METAL_WORD = {"ar": ("Silver", "Silber"), "av": ("Gold", "Gold"), "ae": ("Bronze", "Bronze"),
              "billon": ("Billon", "Billon"), "el": ("Electrum", "Elektron"), "cu": ("Copper", "Kupfer")}
PERIOD_HEAD = {
    "greek": ("GREEK", "GRIECHISCHE MÜNZEN"), "roman_republican": ("ROMAN REPUBLIC", "RÖMISCHE REPUBLIK"),
    "roman_imperial": ("ROMAN EMPIRE", "RÖMISCHE KAISERZEIT"),
    "roman_provincial": ("ROMAN PROVINCIAL", "RÖMISCHE PROVINZIALPRÄGUNGEN"),
    "byzantine": ("BYZANTINE", "BYZANZ"), "celtic": ("CELTIC", "KELTEN"), "persian": ("PERSIA", "PERSIEN"),
    "central_asian": ("CENTRAL ASIA", "ZENTRALASIEN"), "islamic": ("ISLAMIC", "ISLAM"),
    "medieval": ("MEDIEVAL", "MITTELALTER"), "modern": ("WORLD COINS", "NEUZEIT"), "non_coin": ("VARIA", "VARIA"),
}
GRADES = [  # by wear: (short EN, long EN, DE)
    ("FDC", "Fleur de coin", "Stempelglanz"),
    ("EF", "Extremely fine", "Vorzüglich"),
    ("Good VF", "Good very fine", "Sehr schön-vorzüglich"),
    ("VF", "Very fine", "Sehr schön"),
    ("Fine", "Fine", "Schön-sehr schön"),
    ("Fair", "About fine", "Schön"),
]
_FEMALE_DE = {"Athena", "Arethusa", "Roma", "Spes", "Judaea", "Victoria", "Laetitia", "Britannia", "Livia als Pax"}


class LotText(BaseModel):
    title: str
    description: str
    language: str
    style: str


def grade_index(wear: float) -> int:
    return min(len(GRADES) - 1, int(wear * 6))


# --- dates ----------------------------------------------------------------------------------------
def years(a: int | None, b: int | None, lang: str, circa: bool = False) -> str:
    if a is None:
        return ""
    b = a if b is None else b
    if lang == "de":
        if a < 0 and b < 0:
            span = f"{-a}-{-b} v. Chr." if a != b else f"{-a} v. Chr."
        elif a < 0:
            span = f"{-a} v. Chr.-{b} n. Chr."
        else:
            span = f"{a}-{b}" if a != b else f"{a}"
        return ("um " if circa else "") + span
    if a < 0 and b < 0:
        span = f"{-a}-{-b} BC" if a != b else f"{-a} BC"
    elif a < 0:
        span = f"{-a} BC-AD {b}"
    else:
        span = (f"AD {a}-{b}" if a != b else f"AD {a}") if a < 1000 else (f"{a}-{b}" if a != b else f"{a}")
    return ("Circa " if circa else "") + span


# --- designs --------------------------------------------------------------------------------------
def _dir(face: Face, lang: str) -> str:
    if lang == "de":
        return {"r": "r.", "l": "l.", "facing": "v. vorn"}[face.facing]
    return {"r": "right", "l": "left", "facing": "facing"}[face.facing]


def _gen_de(subject: str) -> str:
    if subject.startswith(("der ", "des ")):
        return subject
    return ("der " if subject in _FEMALE_DE else "des ") + subject


_GEAR_EN = {"laureate": "Laureate", "diademed": "Diademed", "radiate": "Radiate", "helmeted": "Helmeted",
            "bare": "Bare", "crowned": "Crowned", "veiled": "Veiled", "celtic": "Stylised"}
_GEAR_DE = {"laureate": ("Belorbeerter", "Belorbeerte", "mit Lorbeerkranz"),
            "diademed": ("Diademierter", "Diademierte", "mit Diadem"),
            "radiate": ("Kopf mit Strahlenkrone", "Büste mit Strahlenkrone", "mit Strahlenkrone"),
            "helmeted": ("Behelmter", "Behelmte", "mit Helm"), "bare": ("", "", ""),
            "crowned": ("Gekrönter", "Gekrönte", "mit Krone"), "veiled": ("Verschleierter", "Verschleierte",
                                                                        "mit Schleier"),
            "celtic": ("Stilisierter", "Stilisierte", "")}


def _head(face: Face, lang: str) -> str:
    gear = face.gear or "bare"
    d = _dir(face, lang)
    if lang == "en":
        if gear == "lionskin":
            return f"Head of Herakles {d}, wearing lion skin"
        if gear == "ivy":
            return f"Head of Dionysos {d}, wearing ivy wreath"
        if face.subject:
            return f"{_GEAR_EN[gear]} head of {face.subject[0]} {d}".replace("Bare head", "Head")
        if face.bust:
            return f"{_GEAR_EN[gear]}, draped and cuirassed bust {d}".replace("Bare, ", "Bare-headed, ")
        return f"{_GEAR_EN[gear]} head {d}"
    if gear == "lionskin":
        return f"Kopf des Herakles mit Löwenfell {d}"
    if gear == "ivy":
        return f"Kopf des Dionysos mit Efeukranz {d}"
    masc, fem, with_ = _GEAR_DE[gear]
    if face.subject:
        return " ".join(x for x in ("Kopf", _gen_de(face.subject[1]), with_, d) if x)
    if gear == "radiate":
        return f"{'Drapierte und gepanzerte Büste' if face.bust else 'Kopf'} mit Strahlenkrone {d}"
    if face.bust:
        return _cap(f"{fem} Büste mit Panzer und Paludament {d}".strip())
    return _cap(f"{masc} Kopf {d}".strip())


def describe(face: Face, lang: str) -> str:
    """The cataloguer's description of one side's design."""
    en = lang == "en"
    d = _dir(face, lang)
    subj = face.subject[0 if en else 1] if face.subject else ""
    hold = face.holding[0 if en else 1] if face.holding else ""
    dev = face.device
    if dev == "head":
        return _head(face, lang)
    if dev == "facing_bust":
        if face.gear == "nimbate":
            return (f"Facing bust of {subj}, wearing nimbus cruciger" if en
                    else f"Büste {subj}i v. vorn mit Kreuznimbus")
        if face.count >= 2:
            return ("Facing busts of two emperors, each wearing crown; cross between them" if en
                    else "Zwei gekrönte Büsten v. vorn, dazwischen Kreuz")
        if subj:
            return f"Facing head of {subj}" if en else f"Kopf {_gen_de(subj)} v. vorn"
        gear = {"crowned": ("Crowned", "Gekrönte"), "helmeted": ("Helmeted and cuirassed", "Behelmte und gepanzerte")}
        g = gear.get(face.gear or "", ("", ""))
        return _cap(f"{g[0]} facing bust".strip()) if en else _cap(f"{g[1]} Büste v. vorn".strip())
    if dev in ("standing", "seated"):
        verb = {"standing": ("standing", "stehend"), "seated": ("seated", "sitzend")}[dev][0 if en else 1]
        if en:
            return f"{subj} {verb} {d}" + (f", holding {hold}" if hold else "")
        return f"{subj} {d} {verb}" + (f" mit {hold}" if hold else "")
    if dev == "horse":
        v = face.variant or "plain"
        en_de = {"rider": (f"Horseman riding {d}", f"Reiter {d}"),
                 "dioscuri": (f"The Dioscuri riding {d}, stars above", f"Die Dioskuren {d} reitend, darüber Sterne"),
                 "pegasus": (f"Pegasus flying {d}", f"Pegasos {d} fliegend"),
                 "grazing": (f"Horse grazing {d}", f"Pferd {d} weidend"),
                 "celtic": (f"Stylised horse {d}, wheel below", f"Stilisiertes Pferd {d}, darunter Rad"),
                 "plain": (f"Horse {d}", f"Pferd {d}")}
        return en_de[v][0 if en else 1]
    if dev == "animal":
        v = face.variant or "lion"
        en_de = {"owl": ("Owl standing right, head facing; olive sprig and crescent behind",
                         "Eule r. stehend, Kopf v. vorn; dahinter Ölzweig und Mondsichel"),
                 "eagle": (f"Eagle standing {d} on thunderbolt", f"Adler {d} auf Blitzbündel"),
                 "tortoise": ("Sea turtle", "Meeresschildkröte"),
                 "elephant": (f"Elephant {d}, trampling serpent", f"Elefant {d}, eine Schlange zertretend"),
                 "dolphin": (f"Taras riding dolphin {d}", f"Taras auf Delphin {d}"),
                 "palm": ("Palm tree", "Palme"),
                 "lion": (f"Lion rampant {d}", f"Löwe {d} steigend"),
                 "double_eagle": ("Crowned double-headed eagle", "Gekrönter Doppeladler")}
        return en_de[v][0 if en else 1]
    fixed = {
        "temple": ("Temple of Janus with closed doors", "Janustempel mit geschlossenen Türen"),
        "ship": (f"Prow of galley {d}", f"Schiffsbug {d}"),
        "implements": ("Culullus, aspergillum, axe and apex", "Kultgeräte: Culullus, Aspergillum, Axt und Apex"),
        "incuse": ("Incuse punch", "Quadratum incusum"),
        "archer": ("Persian king in kneeling-running stance right, holding spear and bow",
                   "Großkönig im Knielauf r. mit Lanze und Bogen"),
        "fire_altar": ("Fire altar flanked by two attendants", "Feueraltar zwischen zwei Wächtern"),
        "letter": (f"Large {face.inner}; cross above", f"Großes {face.inner}, darüber Kreuz"),
        "wreath": (f"{face.inner} within wreath", f"{face.inner} im Kranz"),
    }
    if dev in fixed:
        return fixed[dev][0 if en else 1]
    if dev == "cross":
        return (("Cross potent on three steps", "Stufenkreuz") if face.variant == "steps"
                else ("Long cross with pellets in angles", "Langkreuz mit Kugeln in den Winkeln"))[0 if en else 1]
    if dev == "shield":
        return (("Crowned eagle shield", "Gekrönter Adlerschild") if face.variant == "eagle"
                else ("Crowned shield of arms", "Gekröntes Wappen"))[0 if en else 1]
    if dev == "inscription":
        if set(face.inner) <= {"~"}:
            n = max(1, len(face.inner))
            words = {1: ("one", "einer"), 2: ("two", "zwei"), 3: ("three", "drei"), 4: ("four", "vier")}[min(n, 4)]
            margin = (", marginal legend around", ", Umschrift") if face.legend else ("", "")
            return (f"Kufic legend in {words[0]} lines{margin[0]}" if en
                    else f"Kufische Legende in {words[1]} Zeilen{margin[1]}")
        return f"{face.inner} in tablet" if en else f"{face.inner} in Tafel"
    raise ValueError(f"no description for device {dev!r}")


def _legend(face: Face) -> str:
    return "" if not face.legend or set(face.legend) <= {"~"} else face.legend


def _num(x: float, lang: str, digits: int = 2) -> str:
    s = f"{x:.{digits}f}"
    return s.replace(".", ",") if lang == "de" else s


def _refs(ct: CoinType) -> str:
    return "; ".join(f"{r.catalogue} {r.number}" for r in ct.references)


# --- lots -----------------------------------------------------------------------------------------
class Physical(BaseModel):
    """Measured attributes of the lot's specimen (they vary around the type's norm)."""

    weight_g: float | None
    diameter_mm: float | None
    die_axis_h: int | None
    wear: float
    tone: float


def coin_text(ct: CoinType, phys: Physical, style: str, rng: random.Random) -> LotText:
    lang = STYLES[style]["language"]
    en = lang == "en"
    obv = describe(ct.obv, lang)
    rev = describe(ct.rev, lang)
    g_short, g_long, g_de = GRADES[grade_index(phys.wear)]
    dates = years(ct.date_from, ct.date_to, lang, circa=ct.period in ("greek", "celtic", "persian"))
    reign = years(*(ct.reign or (None, None)), lang)
    denom_en, denom_de = DENOMINATIONS.get(ct.denomination or "", ("", "Bronze" if ct.metal == "ae" else ""))
    metal = METAL_ABBR.get(ct.metal or "", "")
    w = _num(phys.weight_g, lang) if phys.weight_g else None
    mm = f"{phys.diameter_mm:g}" if phys.diameter_mm else None
    axis = phys.die_axis_h
    mint = ct.mint[0 if en else 1] if ct.mint else None
    who = ct.authority or ""
    remark = ""
    if phys.tone > 0.5:
        remark = {"ar": ("Attractive old cabinet tone.", "Schöne Tönung."),
                  "ae": ("Fine green patina.", "Schöne grüne Patina.")}.get(ct.metal or "", ("", ""))[0 if en else 1]
    prov = ""
    if rng.random() < 0.35:
        house, num, year = rng.choice([("Leu", 81, 2001), ("NAC", 54, 2010), ("Künker", 262, 2015),
                                       ("Gorny & Mosch", 199, 2011), ("CNG", 102, 2016)])
        lot = rng.randint(1, 1500)
        prov = f"Ex {house} {num} ({year}), lot {lot}." if en else f"Aus Auktion {house} {num}, {year}, Nr. {lot}."
    region_en, region_de = ct.region
    if style == "cng":
        lead = f"{region_en}. {dates}." if ct.period in ("greek", "celtic") or not ct.reign else f"{who}. {reign}."
        phys_txt = ", ".join(x for x in (f"{mm}mm" if mm else "", f"{w} g" if w else "",
                                         f"{axis}h" if axis else "") if x)
        title = f"{lead} {metal} {denom_en} ({phys_txt})." if denom_en else f"{lead} {metal} ({phys_txt})."
        body = f"{mint} mint. " if mint else ""
        if ct.reign and ct.date_from is not None:
            body += f"Struck {dates}. "
        desc = f"{title} {body}{obv} / {rev}. {_refs(ct)}. {g_short}. {remark} {prov}"
    elif style == "nac":
        lead = f"{who}, {reign}" if ct.reign else f"{region_en.title()}"
        where = (f", {mint} {dates}" if mint else f" {dates}").replace("Circa", "circa")
        title = f"{lead}. {denom_en or 'Bronze'}{where}, {metal} {w} g."
        o_leg, r_leg = _legend(ct.obv), _legend(ct.rev)
        desc = (f"{title} {o_leg} {obv}. Rev. {r_leg} {rev}. {_refs(ct)}. {remark} {g_long}. {prov}")
    elif style == "market":
        head = PERIOD_HEAD[ct.period][0]
        metal_word = METAL_WORD.get(ct.metal or "", ("", ""))[0]
        title = f"{head} {who} {metal} {denom_en} {rev.split(',')[0]} {g_short}".replace("  ", " ")
        lines = [f"Ruler / Issuer: {who or region_en}", f"Denomination: {denom_en or 'AE'}",
                 f"Metal: {metal_word}", f"Weight: {w} g" if w else "", f"Diameter: {mm} mm" if mm else "",
                 f"Die axis: {axis} o'clock" if axis else "", f"Mint: {mint}" if mint else "",
                 f"Date: {dates}", f"Obverse: {obv}", f"Reverse: {rev}", f"Reference: {_refs(ct)}",
                 f"Condition: {g_long}", prov]
        desc = "\n".join(x for x in lines if x)
    elif style == "kuenker":
        lead = f"{who}, {reign}" if ct.reign else region_de
        denom = denom_de or METAL_WORD.get(ct.metal or "", ("", "Bronze"))[1]
        where = f", {mint}" if mint else ""
        title = f"{lead}. {denom}{where}."
        desc = (f"{lead}. {denom} ({w} g){where}, {dates}. {obv}. Rs. {rev}. {_refs(ct)}. "
                f"{remark} {g_de}. {prov}")
    elif style == "gorny":
        head = PERIOD_HEAD[ct.period][1]
        who_de = f"{who}, {reign}" if ct.reign else region_de
        lead = who_de if who_de.upper().startswith(head.split()[0]) else f"{head}. {who_de}"
        denom = f"{metal}-{denom_de}" if denom_de and metal in ("AR", "AV", "EL") else (denom_de or "Bronze")
        title = f"{lead}. {denom}"
        o_leg, r_leg = _legend(ct.obv), _legend(ct.rev)
        where = f" {mint}." if mint else ""
        desc = (f"{title} {mm} mm ({w} g).{where} {dates}. Vs: {o_leg} {obv}. Rs: {r_leg} {rev}. {_refs(ct)}. "
                f"{remark} {g_de}. {prov}")
    else:
        raise ValueError(f"unknown style {style!r}")
    return LotText(title=_tidy(title), description=_tidy(desc), language=lang, style=style)


def group_text(period: str, types: list[CoinType], style: str) -> LotText:
    lang = STYLES[style]["language"]
    head_en, head_de = PERIOD_HEAD[period]
    n = len(types)
    names = sorted({t.authority or t.region[0] for t in types})
    if lang == "en":
        title = f"{head_en}. Lot of {n} coins."
        desc = f"{title} Including {', '.join(names)}. Various grades. Sold as is, no returns."
    else:
        title = f"{head_de}. Lot von {n} Münzen."
        desc = f"{title} Darunter {', '.join(names)}. Unterschiedlich erhalten. Verkauf ohne Rückgaberecht."
    return LotText(title=title, description=desc, language=lang, style=style)


def item_text(ct: CoinType, style: str) -> LotText:
    lang = STYLES[style]["language"]
    title = (ct.title_en if lang == "en" else ct.title_de) or ct.type_id
    extra = "Please view the photograph." if lang == "en" else "Bitte Abbildung beachten."
    return LotText(title=title, description=f"{title}. {extra}", language=lang, style=style)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _tidy(s: str) -> str:
    lines = [" ".join(line.split()) for line in s.split("\n")]
    s = "\n".join(line for line in lines if line)
    for a, b in ((" .", "."), ("..", "."), (" ,", ","), (". .", ".")):
        s = s.replace(a, b)
    return s.strip()
