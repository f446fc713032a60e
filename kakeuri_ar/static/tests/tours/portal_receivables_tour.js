/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A customer opens its receivables, downloads its statement of account, opens its latest
 * billing statement and pays it with the demo provider.
 */
registry.category("web_tour.tours").add("kakeuri_portal_receivables", {
    url: "/my/receivables",
    steps: () => [
        {
            content: "The balance is shown",
            trigger: ".o_kakeuri_receivables .o_kakeuri_balance",
        },
        {
            content: "Download the statement of account (PDF) of the default period",
            trigger: "form.o_kakeuri_statement_form button.o_kakeuri_statement_download_btn",
            async run() {
                const form = document.querySelector("form.o_kakeuri_statement_form");
                const query = new URLSearchParams(new FormData(form)).toString();
                const response = await fetch(`${form.getAttribute("action")}?${query}`);
                const contentType = response.headers.get("Content-Type") || "";
                const disposition = response.headers.get("Content-Disposition") || "";
                if (!response.ok || !contentType.startsWith("application/pdf")) {
                    throw new Error(`statement download failed: ${response.status} ${contentType}`);
                }
                if (!disposition.includes("attachment")) {
                    throw new Error(`statement download is not an attachment: ${disposition}`);
                }
            },
        },
        {
            content: "Open the latest billing statement",
            trigger: ".o_kakeuri_billing_statements tbody tr:first-child a[href^='/my/billing_statements/']",
            run: "click",
        },
        {
            content: "The statement shows what is left to pay",
            trigger: ".o_kakeuri_billing_statement_page .o_kakeuri_amount_to_pay",
        },
        {
            content: "Choose the demo provider",
            trigger: "input[name='o_payment_radio'][data-provider-code='demo']",
            run: "click",
        },
        {
            content: "Enter test card details",
            trigger: "#customer_input",
            run: "edit 4111 1111 1111 1111",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']:not(:disabled)",
            run: "click",
        },
        {
            content: "Back on the statement, its invoices are paid",
            trigger: ".o_kakeuri_billing_statement_page .o_kakeuri_statement_settled",
            timeout: 30000,
        },
    ],
});
