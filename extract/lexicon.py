"""Vocabularies of values: countries, currencies, units and months, in the languages of the label vocabularies
(English, Spanish, German, French, Italian, Dutch, Portuguese; Chinese where a document writes it).

Data only, one place each. Keys are ISO codes; values are the ways documents write them.
"""
from __future__ import annotations

from decimal import Decimal

COUNTRIES: dict[str, list[str]] = {
    "US": ["États-Unis", "Etats-Unis", "Stati Uniti", "Verenigde Staten", "Estados Unidos da América", "美国",
           "United States", "United States of America", "USA", "U.S.A.", "U.S.", "US", "American",
           "Estados Unidos", "EE.UU.", "EEUU", "EUA", "Vereinigte Staaten", "USA"],
    "MX": ["Mexique", "Messico", "Mexico", "México", "Mexican", "Mexicano", "Estados Unidos Mexicanos",
           "Mexiko", "MEX"],
    "CA": ["Canada", "Canadá", "Canadian", "Kanada", "CAN"],
    "CO": ["Colombia", "Colombian", "Republic of Colombia", "República de Colombia", "Kolumbien", "COL"],
    "CN": ["Chine", "Cina", "中国", "中华人民共和国", "China", "People's Republic of China", "PRC", "P.R. China", "P.R.C.",
           "PR China", "Chinese",
           "República Popular China", "Volksrepublik China", "Mainland China", "CHN"],
    "TW": ["台湾", "Taiwan", "Republic of China (Taiwan)", "Taiwan, Province of China", "Chinese Taipei", "Taiwanese",
           "TWN"],
    "HK": ["Hongkong", "香港", "Hong Kong", "Hong Kong SAR", "HKG"],
    "JP": ["Japon", "Giappone", "Japão", "日本", "Japan", "Japón", "Japanese", "Japan", "JPN"],
    "KR": ["Corée du Sud", "Corea del Sud", "Zuid-Korea", "Coreia do Sul", "South Korea", "Korea",
           "Republic of Korea", "Korea, Republic of", "Korean", "Corea del Sur", "Corea",
           "Südkorea", "KOR"],
    "VN": ["Viêt Nam", "越南", "Vietnam", "Viet Nam", "Vietnamese", "Socialist Republic of Vietnam", "VNM"],
    "TH": ["Thailand", "Thai", "Tailandia", "THA"],
    "MY": ["Malaysia", "Malaysian", "Malasia", "MYS"],
    "ID": ["Indonesia", "Indonesian", "IDN"],
    "PH": ["Philippines", "Filipinas", "Philippine", "PHL"],
    "SG": ["Singapore", "Singapur", "SGP"],
    "IN": ["Inde", "Indië", "India", "Indian", "Republic of India", "Indien", "IND"],
    "PK": ["Pakistan", "Pakistani", "PAK"],
    "BD": ["Bangladesh", "BGD"],
    "LK": ["Sri Lanka", "LKA"],
    "KH": ["Cambodia", "Camboya", "KHM"],
    "DE": ["Allemagne", "Germania", "Duitsland", "Alemanha", "BRD", "Germany", "Deutschland", "German", "Alemania",
           "Federal Republic of Germany", "Bundesrepublik Deutschland",
           "DEU"],
    "FR": ["Frankrijk", "França", "République française", "France", "Francia", "French", "Frankreich", "FRA"],
    "IT": ["Italie", "Italië", "Itália", "Italy", "Italia", "Italian", "Italien", "ITA"],
    "ES": ["Espagne", "Spagna", "Spanje", "Espanha", "Spain", "España", "Spanish", "Spanien", "ESP"],
    "PT": ["Portogallo", "Portugal", "Portuguese", "PRT"],
    "NL": ["Nederland", "Pays-Bas", "Paesi Bassi", "Países Baixos", "Netherlands", "The Netherlands", "Holland",
           "Dutch", "Países Bajos", "Niederlande", "NLD"],
    "BE": ["Belgique", "België", "Belgio", "Belgium", "Bélgica", "Belgian", "Belgien", "BEL"],
    "LU": ["Luxemburg", "Lussemburgo", "Luxembourg", "LUX"],
    "AT": ["Autriche", "Oostenrijk", "Austria", "Österreich", "Austrian", "AUT"],
    "CH": ["Suisse", "Svizzera", "Zwitserland", "Suíça", "Schweizerische Eidgenossenschaft", "Switzerland", "Suiza",
           "Swiss", "Schweiz", "CHE"],
    "GB": ["Royaume-Uni", "Vereinigtes Königreich", "Regno Unito", "Verenigd Koninkrijk", "Reino Unido",
           "United Kingdom", "UK", "U.K.", "Great Britain", "England", "British", "Reino Unido", "Großbritannien",
           "GBR"],
    "IE": ["Irlande", "Irland", "Ierland", "Ireland", "Irlanda", "Irish", "IRL"],
    "SE": ["Suède", "Svezia", "Zweden", "Sweden", "Suecia", "Swedish", "Schweden", "SWE"],
    "NO": ["Norway", "Noruega", "Norwegian", "NOR"],
    "DK": ["Danemark", "Dänemark", "Danimarca", "Denemarken", "Denmark", "Dinamarca", "Danish", "DNK"],
    "FI": ["Finland", "Finlandia", "Finnish", "FIN"],
    "PL": ["Pologne", "Polonia", "Polska", "Poland", "Polonia", "Polish", "Polen", "POL"],
    "CZ": ["Tchéquie", "République tchèque", "Tsjechië", "Czech Republic", "Czechia", "Czech", "República Checa",
           "Tschechien", "CZE"],
    "SK": ["Slovakia", "Slovak Republic", "SVK"],
    "HU": ["Hungary", "Hungría", "Hungarian", "HUN"],
    "RO": ["Romania", "Rumania", "Romanian", "ROU"],
    "BG": ["Bulgaria", "BGR"],
    "GR": ["Greece", "Grecia", "Greek", "GRC"],
    "SI": ["Slovenia", "SVN"],
    "HR": ["Croatia", "HRV"],
    "RS": ["Serbia", "SRB"],
    "UA": ["Ukraine", "Ucrania", "UKR"],
    "RU": ["Russia", "Russian Federation", "Rusia", "RUS"],
    "TR": ["Turquie", "Turchia", "Turkije", "Turkey", "Türkiye", "Turkiye", "Turquía", "Turkish", "Türkei", "TUR"],
    "IL": ["Israel", "ISR"],
    "AE": ["United Arab Emirates", "UAE", "U.A.E.", "Emiratos Árabes Unidos", "ARE"],
    "SA": ["Saudi Arabia", "Kingdom of Saudi Arabia", "Arabia Saudita", "SAU"],
    "EG": ["Egypt", "Egipto", "EGY"],
    "MA": ["Morocco", "Marruecos", "MAR"],
    "ZA": ["South Africa", "Sudáfrica", "ZAF"],
    "AU": ["Australia", "Australian", "AUS"],
    "NZ": ["New Zealand", "Nueva Zelanda", "NZL"],
    "BR": ["Brésil", "Brasile", "Brazilië", "Brazil", "Brasil", "Brazilian", "Brasilien", "BRA"],
    "AR": ["Argentina", "Argentine", "ARG"],
    "CL": ["Chile", "Chilean", "CHL"],
    "PE": ["Peru", "Perú", "Peruvian", "PER"],
    "EC": ["Ecuador", "ECU"],
    "VE": ["Venezuela", "VEN"],
    "UY": ["Uruguay", "URY"],
    "PY": ["Paraguay", "PRY"],
    "BO": ["Bolivia", "BOL"],
    "CR": ["Costa Rica", "CRI"],
    "PA": ["Panama", "Panamá", "PAN"],
    "GT": ["Guatemala", "GTM"],
    "HN": ["Honduras", "HND"],
    "SV": ["El Salvador", "SLV"],
    "NI": ["Nicaragua", "NIC"],
    "DO": ["Dominican Republic", "República Dominicana", "DOM"],
    "JM": ["Jamaica", "JAM"],
}

CURRENCIES: dict[str, list[str]] = {
    "USD": ["USD", "US$", "U.S.$", "$", "US dollar", "US dollars", "U.S. dollars", "dollars", "dólares",
            "dolares americanos", "dólares estadounidenses", "United States dollars"],
    "EUR": ["EUR", "€", "euro", "euros", "EURO", "Euro"],
    "CNY": ["CNY", "RMB", "CN¥", "¥", "yuan", "renminbi", "元"],
    "COP": ["COP", "COL$", "pesos colombianos", "Colombian pesos", "Colombian peso"],
    "MXN": ["MXN", "Mex$", "MX$", "M.N.", "pesos mexicanos", "Mexican pesos", "Mexican peso", "MN"],
    "GBP": ["GBP", "£", "pound sterling", "pounds sterling", "sterling"],
    "JPY": ["JPY", "yen", "JP¥", "円"],
    "CAD": ["CAD", "C$", "CA$", "Canadian dollars", "Canadian dollar"],
    "INR": ["INR", "₹", "Rs.", "Rs", "rupees", "Indian rupees"],
    "KRW": ["KRW", "₩", "won"],
    "TWD": ["TWD", "NT$", "New Taiwan dollars"],
    "BRL": ["BRL", "R$", "reais", "real brasileño"],
    "CHF": ["CHF", "Swiss francs", "Fr."],
    "VND": ["VND", "₫", "dong"],
    "THB": ["THB", "฿", "baht"],
    "HKD": ["HKD", "HK$", "Hong Kong dollars"],
    "AUD": ["AUD", "A$", "Australian dollars"],
    "SEK": ["SEK", "Swedish kronor"],
    "PLN": ["PLN", "złoty", "zloty"],
    "TRY": ["TRY", "₺", "Turkish lira"],
}

# units by name, with the UN/ECE Recommendation 20 codes e-invoices print (EN 16931 BT-130: C62 one, H87 piece,
# KGM, GRM, MTR, MTK, MTQ, LTR)
UNITS: dict[str, list[str]] = {
    "PCS": ["pcs", "pc", "pce", "pces", "piece", "pieces", "pza", "pzas", "pieza", "piezas", "stk", "stück", "st",
            "nos", "no", "nr", "stck", "pezzi", "pz", "pièce", "h87"],
    "EA": ["ea", "each"],
    "UNT": ["unit", "units", "unidad", "unidades", "und", "uds", "u", "unité", "unite", "c62"],
    "SET": ["set", "sets", "juego", "juegos", "satz"],
    "PR": ["pr", "prs", "pair", "pairs", "par", "pares", "paar"],
    "DOZ": ["doz", "dozen", "dz", "docena"],
    "KG": ["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramo", "kilogramos", "kilogramm", "kgm"],
    "LB": ["lb", "lbs", "pound", "pounds", "libra", "libras", "#"],
    "MT": ["mt", "t", "ton", "tons", "tonne", "tonnes", "metric ton", "metric tons", "tm", "tonelada",
           "toneladas", "tonelada métrica"],
    "G": ["g", "gr", "gram", "grams", "gramos", "grm"],
    "M": ["m", "meter", "meters", "metre", "metres", "metro", "metros", "lm", "mtr"],
    "M2": ["m2", "m²", "sqm", "square meters", "metros cuadrados", "mtk"],
    "M3": ["m3", "m³", "cbm", "cubic meters", "mtq"],
    "L": ["l", "liter", "liters", "litre", "litres", "litro", "litros", "ltr"],
    "FT": ["ft", "feet", "foot", "pies"],
    "BOX": ["box", "boxes", "caja", "cajas"],
    "CTN": ["ctn", "ctns", "carton", "cartons", "cartón"],
    "PLT": ["plt", "pallet", "pallets", "tarima", "tarimas"],
    "BDL": ["bdl", "bdls", "bundle", "bundles", "atado", "atados"],
    "ROL": ["roll", "rolls", "rollo", "rollos"],
    "X": ["x"],  # a 7501's "X" (no quantity reported)
}

# kilograms per unit of weight
WEIGHT_FACTORS: dict[str, Decimal] = {
    "KG": Decimal(1),
    "LB": Decimal("0.45359237"),
    "G": Decimal("0.001"),
    "MT": Decimal(1000),
    "STON": Decimal("907.18474"),
}
WEIGHT_WORDS: dict[str, list[str]] = {
    "KG": UNITS["KG"],
    "LB": ["lb", "lbs", "pound", "pounds", "libra", "libras", "ibs"],  # a scan reads "lbs" as "Ibs"
    "G": ["g", "gr", "gram", "grams", "gramos", "grm"],
    "MT": ["mt", "metric ton", "metric tons", "tonne", "tonnes", "tm", "tonelada", "toneladas", "t"],
    "STON": ["short ton", "short tons", "net ton", "net tons"],
}

MONTHS: dict[str, int] = {}
for _i, _names in enumerate([
    # English, Spanish, German, French, Italian, Dutch, Portuguese
    ["january", "jan", "enero", "ene", "januar", "jän", "janvier", "janv", "gennaio", "genn", "januari", "janeiro"],
    ["february", "feb", "febrero", "februar", "février", "fevrier", "févr", "fevr", "febbraio", "februari",
     "fevereiro"],
    ["march", "mar", "marzo", "märz", "marz", "mars", "maart", "mrt", "março", "marco"],
    ["april", "apr", "abril", "abr", "avril", "avr", "aprile"],
    ["may", "mayo", "mai", "maggio", "mag", "mei", "maio"],
    ["june", "jun", "junio", "juni", "juin", "giugno", "junho"],
    ["july", "jul", "julio", "juli", "juillet", "juil", "luglio", "julho"],
    ["august", "aug", "agosto", "ago", "août", "aout", "augustus"],
    ["september", "sep", "sept", "septiembre", "setiembre", "set", "septembre", "settembre", "setembro"],
    ["october", "oct", "octubre", "oktober", "okt", "octobre", "ott", "ottobre", "outubro"],
    ["november", "nov", "noviembre", "novembre", "novembro"],
    ["december", "dec", "diciembre", "dic", "dezember", "dez", "décembre", "decembre", "dicembre", "dezembro"],
], start=1):
    for _n in _names:
        MONTHS[_n] = _i

# The country letters European addresses set before a postcode ("D-63571 Gelnhausen", "F-75018 Paris",
# "CH-8001 Zürich"): the international vehicle registration codes, as the postal administrations used them.
POSTCODE_PREFIXES: dict[str, str] = {
    "A": "AT", "B": "BE", "BG": "BG", "CH": "CH", "CZ": "CZ", "D": "DE", "DK": "DK", "E": "ES", "EST": "EE",
    "F": "FR", "FIN": "FI", "GR": "GR", "H": "HU", "HR": "HR", "I": "IT", "IRL": "IE", "L": "LU", "LT": "LT",
    "LV": "LV", "N": "NO", "NL": "NL", "P": "PT", "PL": "PL", "RO": "RO", "S": "SE", "SK": "SK", "SLO": "SI",
}
# Postcodes whose form names their country on its own: the Netherlands' four digits and two letters
# ("3500 MJ Utrecht"), Canada's A1A 1A1, the United Kingdom's outward and inward codes.
POSTCODE_FORMS: dict[str, str] = {
    r"^[1-9]\d{3} ?(?!NE|NW|SE|SW)[A-EGHJ-NPR-TVWXZ]{2}(?: [A-Z][^\d]*)?$": "NL",  # not "1600 NW 7th Ave"
    r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b": "CA",
    r"\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b": "GB",
}
