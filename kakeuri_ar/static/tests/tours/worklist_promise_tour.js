/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A collector opens the collections worklist, records a promise to pay from a customer's row
 * (the dialog proposes the overdue amount) and saves it.
 */
registry.category("web_tour.tours").add("kakeuri_worklist_promise", {
    url: "/odoo/action-kakeuri_ar.action_kakeuri_dunning_collection",
    steps: () => [
        {
            content: "Record a promise from the customer's row",
            trigger: ".o_data_row:contains('Tour Promise KK') .fa-handshake-o",
            run: "click",
        },
        {
            content: "The dialog proposes the overdue amount",
            trigger: ".modal .o_field_widget[name='amount'] input",
        },
        {
            content: "The customer promises to pay by the end of 2030",
            trigger: ".modal .o_field_widget[name='date'] input",
            run: "edit 12/31/2030",
        },
        {
            content: "Save the promise",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
