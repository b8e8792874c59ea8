/** Page is one page of a paginated AWS list call, in a shape every service can map to. */
export interface Page<T> {
  items?: T[] | undefined;
  nextToken?: string | undefined;
}

/** paginate calls fetchPage until AWS stops returning a next token and concatenates the items. */
export async function paginate<T>(
  fetchPage: (nextToken: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const all: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    all.push(...(page.items ?? []));
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return all;
}
