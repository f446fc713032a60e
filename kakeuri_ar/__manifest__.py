# Copyright 2026 kakeuri_ar contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Kakeuri AR: Credit Sales and Receivables",
    "summary": "Credit limits that are enforced, recurring tab-sale contracts, "
    "closing-day billing, aging as of any date and dunning",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/kakeuri/kakeuri_ar",
    "author": "kakeuri_ar contributors",
    "maintainers": ["kakeuri"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "application": False,
    "installable": True,
    "depends": ["account", "sale", "mail"],
    "data": [
        # security
        "security/kakeuri_security.xml",
        "security/ir.model.access.csv",
        "security/credit_security.xml",
        "security/dunning_security.xml",
        # data
        "data/dunning_data.xml",
        "data/dunning_mail_template_data.xml",
        "data/dunning_level_data.xml",
        # reports
        "report/dunning_report.xml",
        # wizards
        # views
        "views/dunning_level_views.xml",
        "views/dunning_run_views.xml",
        "views/dunning_collection_views.xml",
        "views/res_partner_dunning_views.xml",
        "views/account_move_dunning_views.xml",
        "views/res_config_settings_dunning_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/dunning_demo.xml",
    ],
}
