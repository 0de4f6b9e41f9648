# British English dates for the named formats: "13 November 2025", "13 Nov 2025, 19:00".
# https://docs.djangoproject.com/en/5.2/topics/i18n/formatting/#creating-custom-format-files
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
