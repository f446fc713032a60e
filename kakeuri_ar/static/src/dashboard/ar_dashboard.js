/** @odoo-module **/

import { Component, onWillStart, onMounted, onPatched, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { getColor } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";

/**
 * The receivables dashboard (Receivables → Analysis → Dashboard): the KPIs of today's
 * snapshot against the previous month end, their trend over the last twelve month ends,
 * the aging by month, the top debtors and the top overdue customers, the payment grades and
 * the promises to pay. Every number opens what is behind it.
 */
export class KakeuriArDashboard extends Component {
    static template = "kakeuri_ar.ArDashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.trendCanvas = useRef("trendCanvas");
        this.agingCanvas = useRef("agingCanvas");
        this.charts = [];
        this.state = useState({ data: null, companyId: null, loading: false });
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        onMounted(() => this.renderCharts());
        onPatched(() => this.renderCharts());
        onWillUnmount(() => this.destroyCharts());
    }

    async load(refresh = false) {
        this.state.loading = true;
        try {
            this.state.data = await this.orm.call("kakeuri.ar.snapshot", "get_dashboard_data", [], {
                company_id: this.state.companyId,
                refresh,
            });
            this.state.companyId = this.state.data.company.id;
        } finally {
            this.state.loading = false;
        }
    }

    // ------------------------------------------------------------ formatting
    formatValue(value, unit) {
        if (unit === "money") {
            return formatMonetary(value, { currencyId: this.state.data.company.currency_id });
        }
        if (unit === "percent") {
            return `${formatFloat(value, { digits: [16, 1] })} %`;
        }
        return _t("%s days", formatFloat(value, { digits: [16, 1] }));
    }

    formatMoney(value) {
        return this.formatValue(value, "money");
    }

    formatMonth(value) {
        return deserializeDate(value).toFormat("yyyy-MM");
    }

    formatDay(value) {
        return formatDate(deserializeDate(value));
    }

    get asOfText() {
        const data = this.state.data;
        return _t("As of %(date)s, compared with %(previous)s", {
            date: this.formatDay(data.date),
            previous: this.formatDay(data.previous_date),
        });
    }

    kpiChange(kpi) {
        const delta = kpi.value - kpi.previous;
        const good = kpi.better === "higher" ? delta >= 0 : delta <= 0;
        const sign = delta > 0 ? "+" : delta < 0 ? "−" : "±";
        return {
            text: `${sign}${this.formatValue(Math.abs(delta), kpi.unit)}`,
            class: delta === 0 ? "text-muted" : good ? "text-success" : "text-danger",
        };
    }

    // --------------------------------------------------------------- actions
    open(action) {
        if (action) {
            this.actionService.doAction(action);
        }
    }

    async onCompanyChange(ev) {
        this.state.companyId = parseInt(ev.target.value, 10);
        await this.load();
    }

    async onRefresh() {
        await this.load(true);
    }

    async onBackfill() {
        const action = await this.orm.call("kakeuri.ar.snapshot", "action_backfill", [[]], {
            context: { allowed_company_ids: [this.state.companyId] },
        });
        await this.load();
        this.actionService.doAction({ ...action, params: { ...action.params, next: undefined } });
    }

    openSnapshots() {
        this.actionService.doAction("kakeuri_ar.action_kakeuri_ar_snapshot");
    }

    // ---------------------------------------------------------------- charts
    destroyCharts() {
        for (const chart of this.charts) {
            chart.destroy();
        }
        this.charts = [];
    }

    renderCharts() {
        this.destroyCharts();
        const data = this.state.data;
        if (!data || !data.trend.dates.length) {
            return;
        }
        const labels = data.trend.dates.map((d) => this.formatMonth(d));
        const onClick = () => this.openSnapshots();
        if (this.trendCanvas.el) {
            const series = [
                ["dso", _t("DSO (days)")],
                ["avg_days_delinquent", _t("Avg. days delinquent")],
                ["cei", _t("CEI (%)")],
            ];
            this.charts.push(
                new Chart(this.trendCanvas.el, {
                    type: "line",
                    data: {
                        labels,
                        datasets: series.map(([key, label], index) => ({
                            label,
                            data: data.trend[key],
                            borderColor: getColor(index),
                            backgroundColor: getColor(index),
                            tension: 0.2,
                        })),
                    },
                    options: { maintainAspectRatio: false, onClick, animation: false },
                })
            );
        }
        if (this.agingCanvas.el) {
            this.charts.push(
                new Chart(this.agingCanvas.el, {
                    type: "bar",
                    data: {
                        labels,
                        datasets: data.aging.series.map((values, index) => ({
                            label: data.aging.labels[index],
                            data: values,
                            backgroundColor: getColor(index + 3),
                        })),
                    },
                    options: {
                        maintainAspectRatio: false,
                        onClick,
                        animation: false,
                        scales: { x: { stacked: true }, y: { stacked: true } },
                        plugins: {
                            tooltip: {
                                callbacks: {
                                    label: (ctx) => `${ctx.dataset.label}: ${this.formatMoney(ctx.raw)}`,
                                },
                            },
                        },
                    },
                })
            );
        }
    }
}

registry.category("actions").add("kakeuri_ar.dashboard", KakeuriArDashboard);
