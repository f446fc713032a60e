/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A credit manager opens the receivables dashboard, reads the KPI cards and opens the items
 * behind the receivable.
 */
registry.category("web_tour.tours").add("kakeuri_ar_dashboard", {
    url: "/odoo/action-kakeuri_ar.action_kakeuri_ar_dashboard",
    steps: () => [
        {
            content: "The KPI cards are shown",
            trigger: ".o_kakeuri_ar_dashboard .o_kakeuri_kpi_overdue .o_kakeuri_kpi_value",
        },
        {
            content: "The top debtors list the customer",
            trigger: ".o_kakeuri_top_debtors .o_kakeuri_top_row:contains('Tour Dashboard KK')",
        },
        {
            content: "Open the receivable",
            trigger: ".o_kakeuri_kpi_receivable",
            run: "click",
        },
        {
            content: "The open items are listed",
            trigger: ".o_list_view .o_group_name:contains('Tour Dashboard KK')",
        },
        {
            content: "The breadcrumb names them",
            trigger: ".o_breadcrumb:contains('Open Receivables')",
        },
    ],
});
