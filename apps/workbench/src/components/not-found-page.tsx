/** Any path the Workbench does not know: say so and point back to Governance. */
import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <main className="page">
      <h1 className="page__title">Page not found</h1>
      <p>
        <Link to="/governance">Go to Governance</Link>
      </p>
    </main>
  );
}
