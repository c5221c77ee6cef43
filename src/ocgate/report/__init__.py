"""What people and CI read after a run: Allure results, environment and categories and the HTML
report (`allure`), JUnit XML (`junit`), and the terminal's summary and failure lines (`summary`).
"""
