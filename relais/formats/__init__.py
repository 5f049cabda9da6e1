"""Date formats for the people who read the consoles, per language (Django's FORMAT_MODULE_PATH).

Django's own English formats write "Nov. 25, 2026, 10:59 p.m." and its French ones "25 novembre 2026 22:59":
a counsellor or a moderator planning a call or a deadline reads the day of the week first, and a 24-hour
clock in both languages. Only the display formats are set here; what a form accepts stays Django's.
"""
