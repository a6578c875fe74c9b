DATE_FORMAT = r"l, \n\g\à\y j \t\h\á\n\g n \n\ă\m Y"  # Thứ tư, ngày 2 tháng 12 năm 2026
DATETIME_FORMAT = r"H:i, l, \n\g\à\y j \t\h\á\n\g n \n\ă\m Y"
SHORT_DATE_FORMAT = r"j \t\h\á\n\g n, Y"  # 2 tháng 12, 2026
SHORT_DATETIME_FORMAT = r"H:i, j \t\h\á\n\g n"  # 15:30, 2 tháng 12
