import { BudgetsSection } from './budgets-section';
import { MonthSection } from './month-section';
import { TopCostsSection } from './top-costs-section';
import { TrafficSection } from './traffic-section';

export function OverviewPage() {
  return (
    <>
      <header class="page-header">
        <h1>Overview</h1>
        <p class="muted">Spend against budgets, traffic, and where the money goes.</p>
      </header>
      <MonthSection />
      <BudgetsSection />
      <TrafficSection />
      <TopCostsSection />
      <section class="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Recent alerts</h2>
        <div class="state state-empty">
          <strong>No alerts endpoint yet.</strong>
          <p>The gateway does not raise alerts yet; budget use above is the early warning for now.</p>
        </div>
      </section>
    </>
  );
}
