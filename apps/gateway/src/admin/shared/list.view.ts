/** A whole list, as every admin list route answers it. */
export function listView<T>(data: T[]) {
  return { object: 'list', data };
}

/** One page of a longer list; `next_cursor` is null on the last page. */
export function pageView<T, C>(page: { data: T[]; nextCursor: C }) {
  return { object: 'list', data: page.data, next_cursor: page.nextCursor };
}
