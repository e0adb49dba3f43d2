import type { PageInfo } from '../queries';
import { Link } from '../router';

/** Cursor paging: links to the page before startCursor and after endCursor. */
export function Pager({ pageInfo, prevHref, nextHref, prevLabel, nextLabel, summary }: {
  pageInfo: PageInfo; prevHref: string; nextHref: string; prevLabel: string; nextLabel: string; summary?: string;
}) {
  if (!pageInfo.hasPreviousPage && !pageInfo.hasNextPage) {
    return summary ? <div class="pager"><span class="pager-summary">{summary}</span></div> : null;
  }
  return (
    <nav class="pager" aria-label="Pages">
      {pageInfo.hasPreviousPage ? (
        <Link class="btn" href={prevHref} rel="prev" data-testid="page-prev">← {prevLabel}</Link>
      ) : (
        <span class="btn btn-disabled" aria-disabled="true">← {prevLabel}</span>
      )}
      {summary && <span class="pager-summary">{summary}</span>}
      {pageInfo.hasNextPage ? (
        <Link class="btn" href={nextHref} rel="next" data-testid="page-next">{nextLabel} →</Link>
      ) : (
        <span class="btn btn-disabled" aria-disabled="true">{nextLabel} →</span>
      )}
    </nav>
  );
}

/** The connection arguments for a page described by the URL (?after=, ?before=, ?size=). */
export function pageArgs(url: URL, defaultSize: number, maxSize: number) {
  const raw = Number(url.searchParams.get('size'));
  const size = Number.isInteger(raw) && raw >= 1 ? Math.min(raw, maxSize) : defaultSize;
  const after = url.searchParams.get('after') ?? undefined;
  const before = url.searchParams.get('before') ?? undefined;
  if (before) return { size, vars: { last: size, before } };
  if (after) return { size, vars: { first: size, after } };
  return { size, vars: { first: size } };
}
