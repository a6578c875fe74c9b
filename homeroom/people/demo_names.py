"""The demo district's name data: home languages with their given and family names, the
staff language mix, streets, family sizes and programs."""

from __future__ import annotations

from dataclasses import dataclass

# ---- languages and names -------------------------------------------------------------------


@dataclass(frozen=True)
class HomeLanguage:
    code: str
    family_share: float  # share of families who speak it at home
    joined_share: float  # share of its guardians who have joined so far
    email_share: float  # share of its guardians with an email address on file
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]


HOME_LANGUAGES: tuple[HomeLanguage, ...] = (
    HomeLanguage(
        "en",
        0.50,
        0.72,
        0.92,
        (
            "James", "Mary", "Michael", "Jennifer", "David", "Sarah", "Emily", "Daniel",
            "Jessica", "Ashley", "Christopher", "Amanda", "Matthew", "Megan", "Ryan",
            "Lauren", "Tyler", "Hannah", "Olivia", "Liam", "Noah", "Emma", "Ava", "Ethan",
            "Mason", "Sophia", "Logan", "Grace", "Owen", "Chloe", "Caleb", "Nora", "Henry",
            "Abigail", "Jack", "Lily", "Wyatt", "Claire", "Samuel", "Ella",
        ),
        (
            "Johnson", "Smith", "Anderson", "Peterson", "Olson", "Miller", "Larson", "Nelson",
            "Carlson", "Thompson", "Wilson", "Brown", "Davis", "Taylor", "Moore", "Clark",
            "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Hill", "Green", "Baker",
            "Adams", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
            "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook",
            "Washington", "Jackson", "Harris", "Robinson", "Lindqvist", "Schmidt",
        ),
    ),
    HomeLanguage(
        "es",
        0.25,
        0.50,
        0.60,
        (
            "María", "José", "Juan", "Guadalupe", "Carmen", "Luis", "Ana", "Carlos", "Rosa",
            "Miguel", "Alejandra", "Jorge", "Sofía", "Diego", "Valeria", "Mateo", "Camila",
            "Santiago", "Lucía", "Javier", "Fernanda", "Ricardo", "Isabel", "Andrés", "Elena",
            "Francisco", "Gabriela", "Héctor", "Daniela", "Emilio", "Ximena", "Raúl",
        ),
        (
            "García", "Martínez", "Hernández", "López", "González", "Rodríguez", "Pérez",
            "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz",
            "Morales", "Reyes", "Gutiérrez", "Ortiz", "Chávez", "Ramos", "Mendoza", "Ruiz",
            "Vargas", "Castillo", "Jiménez", "Romero", "Herrera", "Medina", "Aguilar",
        ),
    ),
    HomeLanguage(
        "so",
        0.07,
        0.30,
        0.45,
        (
            "Abdi", "Hodan", "Mohamed", "Amina", "Abdirahman", "Fadumo", "Hassan", "Hawa",
            "Ahmed", "Sahra", "Ismail", "Ayaan", "Yusuf", "Faisa", "Mahad", "Ifrah",
            "Abdullahi", "Nimco", "Liban", "Safiya", "Khadar", "Deeqa", "Guled", "Muna",
        ),
        (
            "Ali", "Mohamed", "Hussein", "Farah", "Warsame", "Abdi", "Osman", "Jama", "Yusuf",
            "Hassan", "Omar", "Ahmed", "Aden", "Egal", "Noor", "Dahir", "Mohamud", "Ibrahim",
            "Abdullahi", "Nur", "Hirsi", "Duale",
        ),
    ),
    HomeLanguage(
        "hmn",
        0.06,
        0.38,
        0.50,
        (
            "Pa", "Kou", "Mai", "Tou", "Yer", "Chue", "Nou", "Xee", "Kia", "Fue", "Mee",
            "Neng", "Bao", "Tong", "Shoua", "Pheng", "Ka", "Txawj", "Nhia", "Youa",
        ),
        (
            "Vang", "Xiong", "Yang", "Lee", "Thao", "Her", "Moua", "Lor", "Vue", "Chang",
            "Hang", "Khang", "Lo", "Cha", "Kue",
        ),
    ),
    HomeLanguage(
        "vi",
        0.05,
        0.42,
        0.55,
        (
            "Minh", "Linh", "Anh", "Hương", "Tuấn", "Lan", "Thanh", "Mai", "Đức", "Hoa",
            "Khánh", "Ngọc", "Phương", "Quang", "Thảo", "Hiếu", "Trang", "Long", "Vy", "Bảo",
            "Hùng", "Nhung", "Tâm", "Dũng",
        ),
        (
            "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
        ),
    ),
    HomeLanguage(
        "ar",
        0.04,
        0.33,
        0.50,
        (
            "Ahmed", "Fatima", "Mohammed", "Aisha", "Omar", "Layla", "Youssef", "Mariam",
            "Khalid", "Nour", "Hassan", "Salma", "Ali", "Huda", "Ibrahim", "Rania", "Karim",
            "Yasmin", "Tariq", "Amira", "Samir", "Hana", "Mustafa", "Zainab",
        ),
        (
            "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Aziz", "Farouk", "Hamdan",
            "Darwish", "Suleiman", "Awad", "Qasim", "Rahman", "Jaber", "Bakri", "Yousef",
            "Abdullah", "Mahmoud", "Sabbagh", "Touma",
        ),
    ),
    HomeLanguage(
        "ht",
        0.03,
        0.35,
        0.55,
        (
            "Jean", "Marie", "Pierre", "Fabienne", "Jacques", "Nadège", "Wilner", "Guerline",
            "Frantz", "Rose-Marie", "Reginald", "Mirlande", "Emmanuel", "Judeline", "Stanley",
            "Widline", "Ricardo", "Lovely", "Jeff", "Nathalie",
        ),
        (
            "Pierre", "Joseph", "Jean-Baptiste", "Charles", "Louis", "Baptiste", "Étienne",
            "Désir", "Dorvil", "Fleurimond", "Saint-Fleur", "Toussaint", "Alexis", "Augustin",
            "Célestin", "Dorsainvil", "Noël", "Estimé", "Exantus",
        ),
    ),
)  # fmt: skip
LANGUAGE_BY_CODE = {language.code: language for language in HOME_LANGUAGES}
# Staff mostly speak English at home; some share the families' languages.
STAFF_LANGUAGE_WEIGHTS = {"en": 0.66, "es": 0.16, "so": 0.05, "hmn": 0.05, "vi": 0.04, "ar": 0.04}

STREETS = (
    "Maple Ave", "Cedar St", "Lake St", "Hennepin Ave", "Bloomington Ave", "Oak St", "Elm St",
    "River Rd", "Park Ave", "Franklin Ave", "Nicollet Ave", "Chicago Ave", "Lyndale Ave",
    "Portland Ave", "Como Ave", "Snelling Ave", "Grand Ave", "Cedar Lake Rd", "Minnehaha Ave",
    "Penn Ave", "Fremont Ave", "Humboldt Ave", "University Ave", "Pierce St",
)  # fmt: skip

# Families with one, two or three children at the district's schools.
CHILDREN_WEIGHTS = {1: 0.78, 2: 0.18, 3: 0.04}

PROGRAMS = (
    ("EL", "English learner"),
    ("IEP", "Special education (IEP)"),
    ("504", "Section 504 plan"),
)
