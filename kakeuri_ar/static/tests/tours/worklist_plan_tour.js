/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A collector puts a customer of the collections worklist on a plan of three monthly
 * installments, activates it and sends the agreement.
 */
registry.category("web_tour.tours").add("kakeuri_worklist_plan", {
    url: "/odoo/action-kakeuri_ar.action_kakeuri_dunning_collection",
    steps: () => [
        {
            content: "Make a payment plan from the customer's row",
            trigger: ".o_data_row:contains('Tour Plan KK') .fa-calendar-check-o",
            run: "click",
        },
        {
            content: "Three installments",
            trigger: ".o_form_view .o_field_widget[name='installment_count'] input",
            run: "edit 3",
        },
        {
            content: "The first one at the end of January 2031",
            trigger: ".o_form_view .o_field_widget[name='date_first'] input",
            run: "edit 01/31/2031",
        },
        {
            content: "Compute the schedule",
            trigger: ".o_form_view button[name='action_compute_schedule']",
            run: "click",
        },
        {
            content: "Three installments are proposed",
            trigger: ".o_field_widget[name='installment_ids'] .o_data_row:nth-child(3)",
        },
        {
            content: "Activate the plan",
            trigger: ".o_form_view button[name='action_activate']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Send the agreement",
            trigger: ".o_form_view button[name='action_send_agreement']",
            run: "click",
        },
        {
            content: "Send the mail with the agreement attached",
            trigger: ".modal button.btn-primary:contains('Send')",
            run: "click",
        },
        {
            content: "The composer is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
