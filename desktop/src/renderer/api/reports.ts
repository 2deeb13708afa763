import { reportPageSchemaOf } from '@stockverify/shared';
import type { ReportPage, ReportRequestInput, ReportType } from '@stockverify/shared';
import type { ApiClient } from './client';

/**
 * One page of a report, `POST /reports/generate`, checked against the shared schema of the type
 * asked for (its rows, columns and totals); the dashboards' charts and the reports preview read it.
 */
export function generateReport<T extends ReportType>(
  client: ApiClient,
  request: ReportRequestInput & { type: T },
): Promise<ReportPage<T>> {
  return client.write(reportPageSchemaOf(request.type), '/reports/generate', request);
}
