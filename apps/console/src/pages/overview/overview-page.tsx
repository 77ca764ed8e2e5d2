import { BudgetsSection } from './budgets-section';
import { MonthSection } from './month-section';
import { RecentAlertsSection } from './recent-alerts-section';
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
      <RecentAlertsSection />
    </>
  );
}
