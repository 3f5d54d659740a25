"""The catalogue of coin types the demo auction house sells.

A coin type (period, denomination, authority, mint, ...) has one design per side: a device
(what is shown, with the parameters that `draw` needs and `text` describes) and a legend.
Every specimen of a type shares that design; `photo` varies the specimen. Period and
denomination ids are the canonical vocabularies of docs/contracts.md; metals are nomisma ids
(ar, av, ae, billon, el, cu)."""

from __future__ import annotations

from pydantic import BaseModel, Field

Pair = tuple[str, str]  # (English, German)


class Face(BaseModel):
    """One side's design: the device, its parameters, and the legend around it."""

    device: str  # head | facing_bust | standing | seated | horse | animal | temple | ship | cross
    #              | inscription | wreath | letter | incuse | archer | fire_altar | shield | implements
    facing: str = "r"  # r | l | facing
    gear: str | None = None  # head: laureate | diademed | radiate | helmeted | bare | crowned | veiled | lionskin | ivy
    bust: bool = False  # head: draped bust instead of a head
    subject: Pair | None = None  # who or what is shown, when named
    holding: Pair | None = None  # standing/seated figure: attribute held
    variant: str | None = None  # animal kind, cross kind, horse rider, ...
    count: int = 1  # figures or busts
    legend: str = ""  # the legend around the rim ("" = none); '~' = pseudo-Arabic script
    inner: str = ""  # text inside the field (wreath, inscription, letter)
    border: str = "beaded"  # beaded | linear | none


class Reference(BaseModel):
    catalogue: str
    number: str


class CoinType(BaseModel):
    type_id: str
    period: str
    denomination: str | None
    region: Pair  # header in catalogues: ("ATTICA", "ATTIKA"), ("Roman Empire", "Römische Kaiserzeit")
    authority: str | None
    dynasty: str | None = None
    mint: Pair | None = None
    metal: str | None = None  # nomisma material id
    date_from: int | None = None  # signed years, BC negative
    date_to: int | None = None
    reign: tuple[int, int] | None = None
    weight_g: float | None = None
    diameter_mm: float | None = None
    axis: str = "random"  # random | coin (6h) | medal (12h)
    irregular: float = 0.04  # flan irregularity (relative radius amplitude)
    references: list[Reference] = Field(default_factory=list)
    obv: Face | None = None
    rev: Face | None = None
    picture: str | None = None  # non-coin items: landscape | text_page
    title_en: str | None = None  # non-coin items: the whole title
    title_de: str | None = None


def _r(*pairs: str) -> list[Reference]:
    return [Reference(catalogue=c, number=n) for c, n in (p.split(" ", 1) for p in pairs)]


_RE = ("Roman Empire", "Römische Kaiserzeit")
_RR = ("Roman Republic", "Römische Republik")
_BYZ = ("Byzantine Empire", "Byzanz")
_ISL = ("Islamic", "Islam")


def _head(gear: str, *, bust: bool = False, facing: str = "r", subject: Pair | None = None,
          legend: str = "", border: str = "beaded") -> Face:
    return Face(device="head", gear=gear, bust=bust, facing=facing, subject=subject, legend=legend,
                border=border)


def _fig(device: str, subject: Pair, holding: Pair | None = None, *, facing: str = "l", legend: str = "",
         count: int = 1, border: str = "beaded") -> Face:
    return Face(device=device, subject=subject, holding=holding, facing=facing, legend=legend, count=count,
                border=border)


def _animal(kind: str, *, facing: str = "r", legend: str = "", border: str = "beaded") -> Face:
    return Face(device="animal", variant=kind, facing=facing, legend=legend, border=border)


def _horse(variant: str, *, facing: str = "r", legend: str = "", border: str = "beaded") -> Face:
    return Face(device="horse", variant=variant, facing=facing, legend=legend, border=border)


CATALOGUE: list[CoinType] = [
    # --- greek -------------------------------------------------------------------------------
    CoinType(type_id="athens_owl", period="greek", denomination="tetradrachm", region=("ATTICA", "ATTIKA"),
             authority="Athens", mint=("Athens", "Athen"), metal="ar", date_from=-454, date_to=-404,
             weight_g=17.2, diameter_mm=24, irregular=0.09, references=_r("SNG Copenhagen 31", "Kroll 8"),
             obv=_head("helmeted", subject=("Athena", "Athena"), border="none"),
             rev=Face(device="animal", variant="owl", legend="AOE", border="none")),
    CoinType(type_id="alexander_tetradrachm", period="greek", denomination="tetradrachm",
             region=("KINGS of MACEDON", "MAKEDONIEN, Königreich"), authority="Alexander III",
             dynasty="Argead", mint=("Amphipolis", "Amphipolis"), metal="ar", date_from=-332, date_to=-320,
             reign=(-336, -323), weight_g=17.2, diameter_mm=27, irregular=0.05, references=_r("Price 13"),
             obv=_head("lionskin", subject=("Herakles", "Herakles"), border="linear"),
             rev=_fig("seated", ("Zeus", "Zeus"), ("eagle and sceptre", "Adler und Zepter"), legend="ALEXANDROY",
                      border="none")),
    CoinType(type_id="syracuse_tetradrachm", period="greek", denomination="tetradrachm",
             region=("SICILY, Syracuse", "SIZILIEN, Syrakus"), authority="Syracuse", mint=("Syracuse", "Syrakus"),
             metal="ar", date_from=-405, date_to=-400, weight_g=17.3, diameter_mm=26, irregular=0.05,
             references=_r("SNG ANS 315"),
             obv=_head("bare", facing="l", subject=("Arethusa", "Arethusa"), legend="SYRAKOSIWN", border="none"),
             rev=_horse("rider", legend="", border="linear")),
    CoinType(type_id="corinth_stater", period="greek", denomination="stater", region=("CORINTHIA", "KORINTHIA"),
             authority="Corinth", mint=("Corinth", "Korinth"), metal="ar", date_from=-375, date_to=-300,
             weight_g=8.5, diameter_mm=21, irregular=0.06, references=_r("Pegasi 381"),
             obv=_horse("pegasus", facing="l", legend="Q", border="none"),
             rev=_head("helmeted", facing="l", subject=("Athena", "Athena"), border="none")),
    CoinType(type_id="aegina_stater", period="greek", denomination="stater", region=("ISLANDS off ATTICA, Aegina",
             "INSELN vor ATTIKA, Aigina"), authority="Aegina", mint=("Aegina", "Aigina"), metal="ar",
             date_from=-456, date_to=-431, weight_g=12.2, diameter_mm=20, irregular=0.12,
             references=_r("Milbank pl. II, 15"),
             obv=_animal("tortoise", border="none"), rev=Face(device="incuse", border="none")),
    CoinType(type_id="thasos_tetradrachm", period="greek", denomination="tetradrachm", region=("THRACE, Thasos",
             "THRAKIEN, Thasos"), authority="Thasos", mint=("Thasos", "Thasos"), metal="ar", date_from=-146,
             date_to=-100, weight_g=16.8, diameter_mm=32, irregular=0.04, references=_r("SNG Copenhagen 1046"),
             obv=_head("ivy", subject=("Dionysos", "Dionysos"), border="beaded"),
             rev=_fig("standing", ("Herakles", "Herakles"), ("club and lion skin", "Keule und Löwenfell"),
                      legend="HRAKLEOYS SWTHROS QASIWN", border="none")),
    CoinType(type_id="antiochos_tetradrachm", period="greek", denomination="tetradrachm",
             region=("SELEUKID KINGS of SYRIA", "SELEUKIDEN"), authority="Antiochos I Soter", dynasty="Seleukid",
             mint=("Seleukeia on the Tigris", "Seleukeia am Tigris"), metal="ar", date_from=-281, date_to=-261,
             reign=(-281, -261), weight_g=17.1, diameter_mm=28, irregular=0.04, references=_r("SC 379.4"),
             obv=_head("diademed", border="beaded"),
             rev=_fig("seated", ("Apollo", "Apollo"), ("arrow and bow", "Pfeil und Bogen"), legend="BASILEWS ANTIOXOY",
                      border="none")),
    CoinType(type_id="ptolemy_tetradrachm", period="greek", denomination="tetradrachm",
             region=("PTOLEMAIC KINGS of EGYPT", "PTOLEMÄER"), authority="Ptolemy I Soter", dynasty="Ptolemaic",
             mint=("Alexandria", "Alexandria"), metal="ar", date_from=-305, date_to=-283, reign=(-305, -283),
             weight_g=14.3, diameter_mm=26, irregular=0.04, references=_r("Svoronos 255"),
             obv=_head("diademed", border="beaded"),
             rev=_animal("eagle", facing="l", legend="PTOLEMAIOY BASILEWS", border="beaded")),
    CoinType(type_id="larissa_drachm", period="greek", denomination="drachm", region=("THESSALY, Larissa",
             "THESSALIEN, Larissa"), authority="Larissa", mint=("Larissa", "Larissa"), metal="ar", date_from=-356,
             date_to=-342, weight_g=6.0, diameter_mm=20, irregular=0.06, references=_r("BCD Thessaly II 312"),
             obv=Face(device="facing_bust", gear="bare", subject=("the nymph Larissa", "der Nymphe Larissa"),
                      border="none"),
             rev=_horse("grazing", facing="r", legend="LARIS", border="none")),
    CoinType(type_id="tarentum_nomos", period="greek", denomination="didrachm", region=("CALABRIA, Tarentum",
             "KALABRIEN, Tarent"), authority="Tarentum", mint=("Tarentum", "Tarent"), metal="ar", date_from=-280,
             date_to=-272, weight_g=7.8, diameter_mm=21, irregular=0.05, references=_r("HN Italy 954"),
             obv=_horse("rider", legend="", border="none"),
             rev=Face(device="animal", variant="dolphin", facing="l", legend="TARAS", border="none")),
    # --- roman republican ------------------------------------------------------------------------
    CoinType(type_id="rr_dioscuri_denarius", period="roman_republican", denomination="denarius", region=_RR,
             authority="Anonymous", mint=("Rome", "Rom"), metal="ar", date_from=-211, date_to=-208,
             weight_g=3.9, diameter_mm=19, irregular=0.05, references=_r("Crawford 44/5", "RSC 2"),
             obv=_head("helmeted", subject=("Roma", "Roma"), legend="X"),
             rev=_horse("dioscuri", legend="ROMA")),
    CoinType(type_id="rr_caesar_elephant", period="roman_republican", denomination="denarius", region=_RR,
             authority="Julius Caesar", mint=("military mint traveling with Caesar", "Feldmünzstätte"), metal="ar",
             date_from=-49, date_to=-48, weight_g=3.9, diameter_mm=18, irregular=0.05,
             references=_r("Crawford 443/1", "CRI 9", "Sydenham 1006"),
             obv=_animal("elephant", legend="CAESAR", border="beaded"),
             rev=Face(device="implements", border="beaded")),
    CoinType(type_id="rr_piso_denarius", period="roman_republican", denomination="denarius", region=_RR,
             authority="L. Calpurnius Piso Frugi", mint=("Rome", "Rom"), metal="ar", date_from=-90, date_to=-90,
             weight_g=3.9, diameter_mm=18, irregular=0.05, references=_r("Crawford 340/1", "Calpurnia 11"),
             obv=_head("laureate", subject=("Apollo", "Apollo"), border="beaded"),
             rev=_horse("rider", legend="L PISO FRVGI", border="beaded")),
    CoinType(type_id="rr_janus_as", period="roman_republican", denomination="as", region=_RR, authority="Anonymous",
             mint=("Rome", "Rom"), metal="ae", date_from=-211, date_to=-200, weight_g=30.5, diameter_mm=33,
             irregular=0.07, references=_r("Crawford 56/2"),
             obv=_head("laureate", subject=("Janus", "Janus"), legend="I"),
             rev=Face(device="ship", facing="r", legend="ROMA")),
    # --- roman imperial ----------------------------------------------------------------------------
    CoinType(type_id="augustus_denarius", period="roman_imperial", denomination="denarius", region=_RE,
             authority="Augustus", dynasty="Julio-Claudian", mint=("Lugdunum", "Lyon"), metal="ar", date_from=-2,
             date_to=4, reign=(-27, 14), weight_g=3.8, diameter_mm=19, axis="random",
             references=_r("RIC I 207", "RSC 43"),
             obv=_head("laureate", legend="CAESAR AVGVSTVS DIVI F PATER PATRIAE"),
             rev=_fig("standing", ("Gaius and Lucius Caesars", "Gaius und Lucius Caesar"),
                      ("shields and spears", "Schilde und Speere"), facing="facing", count=2,
                      legend="AVGVSTI F COS DESIG PRINC IVVENT")),
    CoinType(type_id="tiberius_denarius", period="roman_imperial", denomination="denarius", region=_RE,
             authority="Tiberius", dynasty="Julio-Claudian", mint=("Lugdunum", "Lyon"), metal="ar", date_from=14,
             date_to=37, reign=(14, 37), weight_g=3.8, diameter_mm=19, references=_r("RIC I 26", "RSC 16a"),
             obv=_head("laureate", legend="TI CAESAR DIVI AVG F AVGVSTVS"),
             rev=_fig("seated", ("Livia as Pax", "Livia als Pax"), ("sceptre and branch", "Zepter und Zweig"),
                      facing="r", legend="PONTIF MAXIM")),
    CoinType(type_id="nero_sestertius", period="roman_imperial", denomination="sestertius", region=_RE,
             authority="Nero", dynasty="Julio-Claudian", mint=("Rome", "Rom"), metal="ae", date_from=64, date_to=68,
             reign=(54, 68), weight_g=25.4, diameter_mm=35, axis="coin", references=_r("RIC I 270", "BMCRE 157"),
             obv=_head("laureate", legend="NERO CLAVDIVS CAESAR AVG GER P M TR P IMP P P"),
             rev=Face(device="temple", legend="PACE P R TERRA MARIQ PARTA IANVM CLVSIT", inner="S C")),
    CoinType(type_id="vespasian_judaea", period="roman_imperial", denomination="denarius", region=_RE,
             authority="Vespasian", dynasty="Flavian", mint=("Rome", "Rom"), metal="ar", date_from=69, date_to=70,
             reign=(69, 79), weight_g=3.3, diameter_mm=18, references=_r("RIC II 2", "RSC 226"),
             obv=_head("laureate", legend="IMP CAESAR VESPASIANVS AVG"),
             rev=_fig("seated", ("Judaea", "Judaea"), ("trophy", "Tropaion"), facing="r", legend="IVDAEA")),
    CoinType(type_id="trajan_denarius", period="roman_imperial", denomination="denarius", region=_RE,
             authority="Trajan", dynasty="Nerva-Antonine", mint=("Rome", "Rom"), metal="ar", date_from=103,
             date_to=111, reign=(98, 117), weight_g=3.3, diameter_mm=19, axis="coin",
             references=_r("RIC II 127", "BMCRE 276"),
             obv=_head("laureate", bust=True, legend="IMP TRAIANO AVG GER DAC P M TR P"),
             rev=_fig("standing", ("Spes", "Spes"), ("flower", "Blume"), legend="COS V P P S P Q R OPTIMO PRINC")),
    CoinType(type_id="hadrian_aureus", period="roman_imperial", denomination="aureus", region=_RE,
             authority="Hadrian", dynasty="Nerva-Antonine", mint=("Rome", "Rom"), metal="av", date_from=125,
             date_to=128, reign=(117, 138), weight_g=7.3, diameter_mm=20, axis="coin",
             references=_r("RIC II 171", "Calicó 1390"),
             obv=_head("laureate", bust=True, legend="HADRIANVS AVGVSTVS"),
             rev=_fig("seated", ("Roma", "Roma"), ("Victory and spear", "Victoria und Speer"), legend="COS III")),
    CoinType(type_id="marcus_sestertius", period="roman_imperial", denomination="sestertius", region=_RE,
             authority="Marcus Aurelius", dynasty="Nerva-Antonine", mint=("Rome", "Rom"), metal="ae",
             date_from=172, date_to=173, reign=(161, 180), weight_g=25.1, diameter_mm=32, axis="coin",
             references=_r("RIC III 1049"),
             obv=_head("laureate", legend="M ANTONINVS AVG TR P XXVII"),
             rev=_fig("standing", ("Victory", "Victoria"), ("wreath and palm", "Kranz und Palmzweig"),
                      legend="IMP VI COS III", facing="r")),
    CoinType(type_id="severus_denarius", period="roman_imperial", denomination="denarius", region=_RE,
             authority="Septimius Severus", dynasty="Severan", mint=("Rome", "Rom"), metal="ar", date_from=202,
             date_to=210, reign=(193, 211), weight_g=3.2, diameter_mm=19, axis="coin", references=_r("RIC IV 295"),
             obv=_head("laureate", legend="SEVERVS PIVS AVG"),
             rev=_fig("standing", ("Victory", "Victoria"), ("wreath and palm", "Kranz und Palmzweig"),
                      legend="VICT PARTHICAE")),
    CoinType(type_id="gordian_antoninianus", period="roman_imperial", denomination="antoninianus", region=_RE,
             authority="Gordian III", dynasty="Gordian", mint=("Rome", "Rom"), metal="ar", date_from=241,
             date_to=243, reign=(238, 244), weight_g=4.5, diameter_mm=22, axis="coin", references=_r("RIC IV 86"),
             obv=_head("radiate", bust=True, legend="IMP GORDIANVS PIVS FEL AVG"),
             rev=_fig("standing", ("Laetitia", "Laetitia"), ("wreath and anchor", "Kranz und Anker"),
                      legend="LAETITIA AVG N")),
    CoinType(type_id="aurelian_antoninianus", period="roman_imperial", denomination="antoninianus", region=_RE,
             authority="Aurelian", mint=("Siscia", "Siscia"), metal="billon", date_from=272, date_to=274,
             reign=(270, 275), weight_g=3.8, diameter_mm=23, references=_r("RIC V 63"),
             obv=_head("radiate", bust=True, legend="IMP AVRELIANVS AVG"),
             rev=_fig("standing", ("Sol", "Sol"), ("globe", "Globus"), legend="ORIENS AVG")),
    CoinType(type_id="constantine_follis", period="roman_imperial", denomination="follis", region=_RE,
             authority="Constantine I", dynasty="Constantinian", mint=("Trier", "Trier"), metal="ae", date_from=310,
             date_to=313, reign=(306, 337), weight_g=3.2, diameter_mm=20, axis="coin", references=_r("RIC VI 873"),
             obv=_head("laureate", bust=True, legend="CONSTANTINVS P F AVG"),
             rev=_fig("standing", ("Sol", "Sol"), ("globe", "Globus"), legend="SOLI INVICTO COMITI")),
    CoinType(type_id="constantius_fel_temp", period="roman_imperial", denomination="ae3", region=_RE,
             authority="Constantius II", dynasty="Constantinian", mint=("Cyzicus", "Kyzikos"), metal="ae",
             date_from=351, date_to=355, reign=(337, 361), weight_g=2.4, diameter_mm=18, axis="coin",
             references=_r("RIC VIII 113"),
             obv=_head("diademed", bust=True, legend="D N CONSTANTIVS P F AVG"),
             rev=_fig("standing", ("soldier spearing fallen horseman", "Soldat, einen Reiter niederstechend"),
                      legend="FEL TEMP REPARATIO")),
    CoinType(type_id="theodosius_ae4", period="roman_imperial", denomination="ae4", region=_RE,
             authority="Theodosius I", dynasty="Theodosian", mint=("Antioch", "Antiochia"), metal="ae",
             date_from=388, date_to=392, reign=(379, 395), weight_g=1.2, diameter_mm=13, irregular=0.06,
             references=_r("RIC IX 67"),
             obv=_head("diademed", bust=True, legend="D N THEODOSIVS P F AVG"),
             rev=_fig("standing", ("Victory", "Victoria"), ("wreath", "Kranz"), legend="SALVS REIPVBLICAE")),
    CoinType(type_id="valentinian_solidus", period="roman_imperial", denomination="solidus", region=_RE,
             authority="Valentinian I", dynasty="Valentinianic", mint=("Trier", "Trier"), metal="av", date_from=367,
             date_to=375, reign=(364, 375), weight_g=4.45, diameter_mm=21, axis="medal", irregular=0.02,
             references=_r("RIC IX 17b"),
             obv=_head("diademed", bust=True, legend="D N VALENTINIANVS P F AVG"),
             rev=_fig("seated", ("two emperors", "zwei Kaiser"), ("globe", "Globus"), facing="facing", count=2,
                      legend="VICTORIA AVGG")),
    CoinType(type_id="julian_siliqua", period="roman_imperial", denomination="siliqua", region=_RE,
             authority="Julian II", dynasty="Constantinian", mint=("Arelate", "Arles"), metal="ar", date_from=360,
             date_to=363, reign=(360, 363), weight_g=2.0, diameter_mm=19, axis="medal", references=_r("RIC VIII 309"),
             obv=_head("diademed", bust=True, legend="FL CL IVLIANVS P P AVG"),
             rev=Face(device="wreath", inner="VOT X MVLT XX", legend="")),
    # --- roman provincial --------------------------------------------------------------------------
    CoinType(type_id="alexandria_hadrian", period="roman_provincial", denomination="tetradrachm",
             region=("EGYPT, Alexandria", "ÄGYPTEN, Alexandria"), authority="Hadrian", dynasty="Nerva-Antonine",
             mint=("Alexandria", "Alexandria"), metal="billon", date_from=132, date_to=133, reign=(117, 138),
             weight_g=13.1, diameter_mm=24, axis="medal", references=_r("Emmett 880", "RPC III 5500"),
             obv=_head("laureate", bust=True, legend="AYT KAIS TRAIAN ADRIANOS SEB"),
             rev=_fig("standing", ("Serapis", "Serapis"), ("sceptre", "Zepter"), legend="L IZ")),
    CoinType(type_id="antioch_caracalla", period="roman_provincial", denomination="tetradrachm",
             region=("SYRIA, Seleucis and Pieria, Antioch", "SYRIEN, Antiochia"), authority="Caracalla",
             dynasty="Severan", mint=("Antioch", "Antiochia"), metal="billon", date_from=215, date_to=217,
             reign=(198, 217), weight_g=12.5, diameter_mm=26, axis="medal", references=_r("Prieur 225"),
             obv=_head("laureate", legend="AYT K M A ANTWNEINOS SE"),
             rev=_animal("eagle", facing="facing", legend="DHMARX EX YPATOS TO D")),
    CoinType(type_id="viminacium_philip", period="roman_provincial", denomination=None,
             region=("MOESIA SUPERIOR, Viminacium", "MOESIA SUPERIOR, Viminacium"), authority="Philip I",
             mint=("Viminacium", "Viminacium"), metal="ae", date_from=244, date_to=247, reign=(244, 249),
             weight_g=17.2, diameter_mm=29, axis="medal", references=_r("AMNG I 67", "Martin 1.03"),
             obv=_head("laureate", bust=True, legend="IMP M IVL PHILIPPVS AVG"),
             rev=_fig("standing", ("Moesia between bull and lion", "Moesia zwischen Stier und Löwe"),
                      legend="P M S COL VIM")),
    # --- byzantine ---------------------------------------------------------------------------------
    CoinType(type_id="justinian_follis", period="byzantine", denomination="follis", region=_BYZ,
             authority="Justinian I", mint=("Constantinople", "Konstantinopel"), metal="ae", date_from=538,
             date_to=565, reign=(527, 565), weight_g=20.5, diameter_mm=40, irregular=0.06, references=_r("SB 163"),
             obv=Face(device="facing_bust", gear="helmeted", legend="D N IVSTINIANVS P P AVG", border="linear"),
             rev=Face(device="letter", inner="M", legend="ANNO", border="linear")),
    CoinType(type_id="heraclius_solidus", period="byzantine", denomination="solidus", region=_BYZ,
             authority="Heraclius", mint=("Constantinople", "Konstantinopel"), metal="av", date_from=616,
             date_to=625, reign=(610, 641), weight_g=4.4, diameter_mm=20, axis="medal", irregular=0.03,
             references=_r("SB 738", "DOC 13"),
             obv=Face(device="facing_bust", gear="crowned", count=2, legend="DD NN HERACLIVS ET HERA CONST PP AV",
                      border="linear"),
             rev=Face(device="cross", variant="steps", legend="VICTORIA AVGY CONOB", border="linear")),
    CoinType(type_id="basil_histamenon", period="byzantine", denomination="histamenon", region=_BYZ,
             authority="Basil II", dynasty="Macedonian", mint=("Constantinople", "Konstantinopel"), metal="av",
             date_from=977, date_to=989, reign=(976, 1025), weight_g=4.4, diameter_mm=25, axis="medal",
             irregular=0.03, references=_r("SB 1800", "DOC 6a"),
             obv=Face(device="facing_bust", gear="nimbate", subject=("Christ", "Christus"),
                      legend="IHS XIS REX REGNANTIVM", border="beaded"),
             rev=Face(device="facing_bust", gear="crowned", count=2, legend="BASIL C CONSTANT B R", border="beaded")),
    CoinType(type_id="alexius_hyperpyron", period="byzantine", denomination="hyperpyron", region=_BYZ,
             authority="Alexius I Comnenus", dynasty="Komnenian", mint=("Constantinople", "Konstantinopel"),
             metal="el", date_from=1092, date_to=1118, reign=(1081, 1118), weight_g=4.3, diameter_mm=30,
             axis="medal", irregular=0.05, references=_r("SB 1913", "DOC 20"),
             obv=_fig("seated", ("Christ enthroned", "Christus thronend"), ("Gospels", "Evangelienbuch"),
                      facing="facing", legend="IC XC", border="linear"),
             rev=_fig("standing", ("emperor", "Kaiser"), ("labarum and globus cruciger", "Labarum und Kreuzglobus"),
                      facing="facing", legend="ALEXIO DESPOTH", border="linear")),
    CoinType(type_id="anonymous_follis", period="byzantine", denomination="follis", region=_BYZ,
             authority="Anonymous", mint=("Constantinople", "Konstantinopel"), metal="ae", date_from=976,
             date_to=1025, weight_g=12.8, diameter_mm=30, irregular=0.08, references=_r("SB 1813"),
             obv=Face(device="facing_bust", gear="nimbate", subject=("Christ", "Christus"), legend="EMMANOVHA",
                      border="beaded"),
             rev=Face(device="inscription", inner="IHSVS XRISTVS BASILEV BASILE", border="beaded")),
    # --- celtic ------------------------------------------------------------------------------------
    CoinType(type_id="parisii_stater", period="celtic", denomination="stater", region=("CELTIC, Gaul, Parisii",
             "KELTEN, Gallien, Parisii"), authority="Parisii", mint=None, metal="av", date_from=-100,
             date_to=-50, weight_g=7.2, diameter_mm=22, irregular=0.10, references=_r("DT 86"),
             obv=_head("celtic", border="none"), rev=_horse("celtic", facing="l", border="none")),
    CoinType(type_id="danube_tetradrachm", period="celtic", denomination="tetradrachm",
             region=("CELTIC, Eastern Europe", "KELTEN, Donaukelten"), authority="Imitation of Philip II",
             mint=None, metal="ar", date_from=-200, date_to=-100, weight_g=12.4, diameter_mm=24, irregular=0.11,
             references=_r("Lanz 553", "OTA 179"),
             obv=_head("laureate", subject=("Zeus", "Zeus"), border="none"),
             rev=_horse("rider", facing="l", border="none")),
    CoinType(type_id="lingones_quinarius", period="celtic", denomination="quinarius", region=("CELTIC, Gaul, Lingones",
             "KELTEN, Gallien, Lingonen"), authority="Lingones", mint=None, metal="ar", date_from=-80,
             date_to=-50, weight_g=1.9, diameter_mm=13, irregular=0.10, references=_r("DT 3195", "LT 8124"),
             obv=_head("helmeted", facing="l", border="none"),
             rev=_horse("celtic", facing="l", legend="KAL", border="none")),
    # --- persian -----------------------------------------------------------------------------------
    CoinType(type_id="achaemenid_siglos", period="persian", denomination="siglos",
             region=("PERSIA, Achaemenid Empire", "PERSIEN, Achämeniden"), authority="Darios I - Xerxes II",
             dynasty="Achaemenid", mint=("Sardes", "Sardes"), metal="ar", date_from=-485, date_to=-420,
             weight_g=5.5, diameter_mm=15, irregular=0.14, references=_r("Carradice Type IIIb"),
             obv=Face(device="archer", facing="r", border="none"), rev=Face(device="incuse", border="none")),
    CoinType(type_id="achaemenid_daric", period="persian", denomination="daric",
             region=("PERSIA, Achaemenid Empire", "PERSIEN, Achämeniden"), authority="Artaxerxes II - Darios III",
             dynasty="Achaemenid", mint=("Sardes", "Sardes"), metal="av", date_from=-375, date_to=-340,
             weight_g=8.35, diameter_mm=15, irregular=0.12, references=_r("Carradice Type IV", "BMC Arabia 142"),
             obv=Face(device="archer", facing="r", border="none"), rev=Face(device="incuse", border="none")),
    CoinType(type_id="khusro_drachm", period="persian", denomination="drachm", region=("SASANIAN KINGS",
             "SASANIDEN"), authority="Khusro II", dynasty="Sasanian", mint=("AHM (Ecbatana)", "AHM (Ekbatana)"),
             metal="ar", date_from=591, date_to=628, reign=(591, 628), weight_g=4.1, diameter_mm=31, axis="random",
             irregular=0.02, references=_r("Göbl II/3"),
             obv=_head("crowned", bust=True, legend="~", border="linear"),
             rev=Face(device="fire_altar", legend="~", border="linear")),
    CoinType(type_id="mithradates_drachm", period="persian", denomination="drachm", region=("PARTHIA",
             "PARTHERREICH"), authority="Mithradates II", dynasty="Arsakid", mint=("Ekbatana", "Ekbatana"),
             metal="ar", date_from=-121, date_to=-91, reign=(-121, -91), weight_g=4.1, diameter_mm=21,
             irregular=0.06, references=_r("Sellwood 28.3", "Shore 69"),
             obv=_head("diademed", bust=True, facing="l", border="beaded"),
             rev=_fig("seated", ("archer", "Bogenschütze"), ("bow", "Bogen"), facing="r",
                      legend="BASILEWS MEGALOY ARSAKOY EPIFANOYS")),
    # --- central asian -----------------------------------------------------------------------------
    CoinType(type_id="eukratides_tetradrachm", period="central_asian", denomination="tetradrachm",
             region=("BAKTRIA, Greco-Baktrian Kingdom", "BAKTRIEN"), authority="Eukratides I",
             mint=("Baktra", "Baktra"), metal="ar", date_from=-170, date_to=-145, reign=(-170, -145),
             weight_g=16.9, diameter_mm=34, irregular=0.03, references=_r("Bopearachchi 6A", "SNG ANS 427"),
             obv=_head("helmeted", bust=True, border="beaded"),
             rev=_horse("dioscuri", legend="BASILEWS MEGALOY EYKRATIDOY", border="none")),
    CoinType(type_id="vasudeva_dinar", period="central_asian", denomination="dinar", region=("KUSHAN EMPIRE",
             "KUSCHANREICH"), authority="Vasudeva I", dynasty="Kushan", mint=("Balkh", "Balkh"), metal="av",
             date_from=190, date_to=230, reign=(190, 230), weight_g=8.0, diameter_mm=21, irregular=0.05,
             references=_r("Göbl 509", "MK 1"),
             obv=_fig("standing", ("king at altar", "König am Altar"), ("trident", "Dreizack"),
                      legend="SHAONANOSHAO BAZODHO KOSHANO"),
             rev=_fig("standing", ("Oesho before bull", "Oesho vor Stier"), ("trident", "Dreizack"), facing="facing",
                      legend="OHSO")),
    # --- islamic -----------------------------------------------------------------------------------
    CoinType(type_id="umayyad_dirham", period="islamic", denomination="dirham", region=("ISLAMIC, Umayyad Caliphate",
             "ISLAM, Umayyaden"), authority="temp. al-Walid I", dynasty="Umayyad", mint=("Wasit", "Wasit"),
             metal="ar", date_from=708, date_to=709, weight_g=2.9, diameter_mm=26, axis="random", irregular=0.02,
             references=_r("Album 128", "Klat 730"),
             obv=Face(device="inscription", legend="~", inner="~~~", border="linear"),
             rev=Face(device="inscription", legend="~", inner="~~~~", border="linear")),
    CoinType(type_id="abbasid_dinar", period="islamic", denomination="dinar", region=("ISLAMIC, Abbasid Caliphate",
             "ISLAM, Abbasiden"), authority="Harun al-Rashid", dynasty="Abbasid",
             mint=("Madinat al-Salam", "Madinat as-Salam"), metal="av", date_from=790, date_to=791, reign=(786, 809),
             weight_g=4.2, diameter_mm=19, irregular=0.02, references=_r("Album 218.1", "Bernardi 61"),
             obv=Face(device="inscription", legend="~", inner="~~~", border="none"),
             rev=Face(device="inscription", legend="~", inner="~~~", border="none")),
    CoinType(type_id="umayyad_fals", period="islamic", denomination="fals", region=("ISLAMIC, Umayyad Caliphate",
             "ISLAM, Umayyaden"), authority="Anonymous", dynasty="Umayyad", mint=("Dimashq", "Damaskus"),
             metal="ae", date_from=700, date_to=750, weight_g=3.1, diameter_mm=19, irregular=0.08,
             references=_r("Album 199"),
             obv=Face(device="inscription", inner="~~~", border="linear"),
             rev=Face(device="animal", variant="palm", legend="~", border="linear")),
    CoinType(type_id="fatimid_dinar", period="islamic", denomination="dinar", region=("ISLAMIC, Fatimid Caliphate",
             "ISLAM, Fatimiden"), authority="al-Mu'izz", dynasty="Fatimid", mint=("al-Mansuriya", "al-Mansuriya"),
             metal="av", date_from=953, date_to=975, reign=(953, 975), weight_g=4.2, diameter_mm=22, irregular=0.02,
             references=_r("Nicol 17"),
             obv=Face(device="inscription", legend="~", inner="~", border="linear"),
             rev=Face(device="inscription", legend="~", inner="~", border="linear")),
    # --- medieval ----------------------------------------------------------------------------------
    CoinType(type_id="aethelred_penny", period="medieval", denomination="penny", region=("ENGLAND, Anglo-Saxon",
             "ENGLAND, Angelsachsen"), authority="Aethelred II", mint=("London", "London"), metal="ar",
             date_from=997, date_to=1003, reign=(978, 1016), weight_g=1.6, diameter_mm=20, irregular=0.04,
             references=_r("SCBI 1151", "North 777"),
             obv=_head("bare", bust=True, facing="l", legend="+AEDELRED REX ANGLOX"),
             rev=Face(device="cross", variant="long", legend="+LEOFRIC MO LVND")),
    CoinType(type_id="edward_penny", period="medieval", denomination="penny", region=("ENGLAND", "ENGLAND"),
             authority="Edward I", dynasty="Plantagenet", mint=("London", "London"), metal="ar", date_from=1279,
             date_to=1307, reign=(1272, 1307), weight_g=1.4, diameter_mm=19, irregular=0.04,
             references=_r("Spink 1390"),
             obv=Face(device="facing_bust", gear="crowned", legend="EDW R ANGL DNS HYB"),
             rev=Face(device="cross", variant="long", legend="CIVITAS LONDON")),
    CoinType(type_id="edward_iii_groat", period="medieval", denomination="groat", region=("ENGLAND", "ENGLAND"),
             authority="Edward III", dynasty="Plantagenet", mint=("London", "London"), metal="ar", date_from=1351,
             date_to=1361, reign=(1327, 1377), weight_g=4.6, diameter_mm=27, irregular=0.03,
             references=_r("Spink 1565"),
             obv=Face(device="facing_bust", gear="crowned", legend="EDWARD D G REX ANGL Z FRANC D HYB"),
             rev=Face(device="cross", variant="long", legend="POSVI DEVM ADIVTOREM MEVM CIVITAS LONDON")),
    CoinType(type_id="venice_ducat", period="medieval", denomination="ducat", region=("ITALY, Venice",
             "ITALIEN, Venedig"), authority="Andrea Dandolo", mint=("Venice", "Venedig"), metal="av", date_from=1343,
             date_to=1354, reign=(1343, 1354), weight_g=3.5, diameter_mm=20, axis="medal", irregular=0.02,
             references=_r("Friedberg 1223", "Paolucci 1"),
             obv=_fig("standing", ("the Doge kneeling before St. Mark", "der Doge vor dem hl. Markus kniend"),
                      ("banner", "Fahne"), facing="facing", count=2, legend="ANDR DANDVLO S M VENETI DVX"),
             rev=_fig("standing", ("Christ in mandorla", "Christus in Mandorla"), facing="facing",
                      legend="SIT T XPE DAT Q TV REGIS ISTE DVCAT")),
    CoinType(type_id="prague_groat", period="medieval", denomination="groat", region=("BOHEMIA", "BÖHMEN"),
             authority="Wenceslas II", dynasty="Přemyslid", mint=("Kutná Hora", "Kuttenberg"), metal="ar",
             date_from=1300, date_to=1305, reign=(1278, 1305), weight_g=3.7, diameter_mm=28, irregular=0.03,
             references=_r("Donebauer 777", "Castelin 1"),
             obv=Face(device="shield", variant="crown", legend="WENCEZLAVS SECVNDVS DEI GRATIA REX BOEMIE"),
             rev=_animal("lion", facing="l", legend="GROSSI PRAGENSES")),
    # --- modern ------------------------------------------------------------------------------------
    CoinType(type_id="maria_theresa_thaler", period="modern", denomination="thaler", region=("AUSTRIA",
             "ÖSTERREICH"), authority="Maria Theresa", dynasty="Habsburg", mint=("Günzburg", "Günzburg"),
             metal="ar", date_from=1780, date_to=1780, reign=(1740, 1780), weight_g=28.06, diameter_mm=40,
             axis="medal", irregular=0.0, references=_r("KM T1", "Hafner 1"),
             obv=_head("veiled", bust=True, legend="M THERESIA D G R IMP HU BO REG"),
             rev=_animal("double_eagle", facing="facing", legend="ARCHID AVST DUX BURG CO TYR 1780 X")),
    CoinType(type_id="prussia_thaler", period="modern", denomination="thaler", region=("GERMANY, Prussia",
             "PREUSSEN"), authority="Friedrich Wilhelm III", dynasty="Hohenzollern", mint=("Berlin", "Berlin"),
             metal="ar", date_from=1816, date_to=1816, reign=(1797, 1840), weight_g=22.3, diameter_mm=34,
             axis="medal", irregular=0.0, references=_r("AKS 13", "KM 387"),
             obv=_head("bare", legend="FRIEDR WILHELM III KOENIG V PREUSSEN", border="linear"),
             rev=Face(device="shield", variant="eagle", legend="EIN THALER 1816 A", border="linear")),
    CoinType(type_id="netherlands_ducat", period="modern", denomination="ducat", region=("NETHERLANDS",
             "NIEDERLANDE"), authority="Kingdom of the Netherlands", mint=("Utrecht", "Utrecht"), metal="av",
             date_from=1849, date_to=1849, weight_g=3.49, diameter_mm=21, axis="medal", irregular=0.0,
             references=_r("KM 50.1", "Friedberg 240"),
             obv=_fig("standing", ("knight", "Ritter"), ("sword and arrows", "Schwert und Pfeilbündel"),
                      facing="facing", legend="CONCORDIA RES PAR CRES HOL"),
             rev=Face(device="inscription", inner="MO ORD PROVIN FOEDER BELG AD LEG IMP", border="linear")),
    CoinType(type_id="victoria_penny", period="modern", denomination="penny", region=("GREAT BRITAIN",
             "GROSSBRITANNIEN"), authority="Victoria", dynasty="Hanover", mint=("London", "London"), metal="ae",
             date_from=1890, date_to=1890, reign=(1837, 1901), weight_g=9.4, diameter_mm=31, axis="medal",
             irregular=0.0, references=_r("Spink 3954", "Freeman 129"),
             obv=_head("laureate", bust=True, facing="l", legend="VICTORIA D G BRITT REG F D"),
             rev=_fig("seated", ("Britannia", "Britannia"), ("trident and shield", "Dreizack und Schild"), facing="r",
                      legend="ONE PENNY 1890")),
    CoinType(type_id="bavaria_thaler", period="modern", denomination="thaler", region=("GERMANY, Bavaria",
             "BAYERN"), authority="Ludwig I", dynasty="Wittelsbach", mint=("Munich", "München"), metal="ar",
             date_from=1827, date_to=1827, reign=(1825, 1848), weight_g=29.4, diameter_mm=41, axis="medal",
             irregular=0.0, references=_r("AKS 74", "KM 722"),
             obv=_head("bare", legend="LUDWIG KOENIG VON BAYERN", border="linear"),
             rev=Face(device="shield", variant="crown", legend="KRONENTHALER 1827", border="linear")),
    # --- non-coin items --------------------------------------------------------------------------
    CoinType(type_id="painting_landscape", period="non_coin", denomination=None, region=("VARIA", "VARIA"),
             authority=None, picture="landscape", title_en="Landscape with ruins, oil on canvas, 19th century",
             title_de="Landschaft mit Ruinen, Öl auf Leinwand, 19. Jahrhundert"),
    CoinType(type_id="numismatic_library", period="non_coin", denomination=None, region=("LITERATURE",
             "LITERATUR"), authority=None, picture="text_page",
             title_en="Numismatic literature: auction catalogues, 12 volumes",
             title_de="Numismatische Literatur: Auktionskataloge, 12 Bände"),
    CoinType(type_id="dealer_archive", period="non_coin", denomination=None, region=("VARIA", "VARIA"),
             authority=None, picture="text_page", title_en="Dealer's correspondence, manuscript letters, c. 1890",
             title_de="Händlerkorrespondenz, handschriftliche Briefe, um 1890"),
]

BY_ID: dict[str, CoinType] = {t.type_id: t for t in CATALOGUE}
COIN_TYPES: list[CoinType] = [t for t in CATALOGUE if t.period != "non_coin"]
NON_COIN_TYPES: list[CoinType] = [t for t in CATALOGUE if t.period == "non_coin"]
