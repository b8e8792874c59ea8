/**
 * collect drains one of the SDK's own paginators (`paginateDescribeSubnets(...)`) and
 * concatenates the items `pick` takes from each page.
 */
export async function collect<Page, Item>(
  pages: AsyncIterable<Page>,
  pick: (page: Page) => readonly Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pages) items.push(...(pick(page) ?? []));
  return items;
}
