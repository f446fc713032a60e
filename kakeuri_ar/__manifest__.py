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
        "security/contract_security.xml",
        "security/billing_security.xml",
        "security/aging_security.xml",
        # data
        "data/contract_data.xml",
        "data/billing_data.xml",
        # reports
        "report/billing_statement_report.xml",
        "report/aging_report_templates.xml",
        "data/billing_mail_template.xml",
        # wizards
        "wizards/credit_override_wizard.xml",
        "wizards/closing_run_wizard.xml",
        "wizards/aging_line.xml",
        "wizards/aging_wizard.xml",
        # views
        "views/kakeuri_credit_policy_views.xml",
        "views/res_partner_credit_views.xml",
        "views/sale_order_credit_views.xml",
        "views/account_move_credit_views.xml",
        "views/contract_views.xml",
        "views/billing_statement_views.xml",
        "views/res_partner_billing_views.xml",
        "views/res_config_settings_billing_views.xml",
        "views/res_partner_aging_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/credit_demo.xml",
        "demo/contracts_demo.xml",
        "demo/aging_demo.xml",
    ],
}
