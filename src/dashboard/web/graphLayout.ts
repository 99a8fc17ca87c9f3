// A layered layout for the dependency graph, fast enough for thousands of boxes: one column per
// dependency level, boxes ordered in their column by where their parents sit (one barycentre pass).

/** A box to place: its column and the boxes it has arrows from. */
export interface LayoutInput {
  readonly id: string;
  readonly level: number;
  /** Ids of boxes with an arrow into this one. */
  readonly parents: readonly string[];
  /** Sort key among boxes of equal barycentre, e.g. the cluster's key. */
  readonly key: string;
}

/** A placed box: top-left corner and size, in world units. */
export interface Placed {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutOptions {
  readonly width: number;
  readonly height: number;
  /** Space between two levels. */
  readonly columnGap: number;
  /** Space between two boxes of a level. */
  readonly rowGap: number;
  /** Levels as rows from the top rather than columns from the left. @default false */
  readonly vertical?: boolean;
}

/** The smallest rectangle around every box. */
export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const collator = new Intl.Collator('en', { numeric: true });

/**
 * Places boxes in columns by level (rows when `vertical`), each centred on the largest one; within a column a box
 * sits near the mean position of its parents, so arrows mostly run straight.
 */
export function layoutLayers(inputs: readonly LayoutInput[], options: LayoutOptions): { placed: Map<string, Placed>; bounds: Bounds } {
  const columns = new Map<number, LayoutInput[]>();
  for (const input of inputs) {
    const column = columns.get(input.level);
    if (column === undefined) columns.set(input.level, [input]);
    else column.push(input);
  }
  const levels = [...columns.keys()].sort((a, b) => a - b);
  const tallest = Math.max(0, ...[...columns.values()].map((column) => column.length));
  const rank = new Map<string, number>();
  const placed = new Map<string, Placed>();
  const vertical = options.vertical === true;
  const step = vertical ? options.width + options.rowGap : options.height + options.rowGap;
  const levelStep = vertical ? options.height + options.columnGap / 3 : options.width + options.columnGap;
  for (const level of levels) {
    const column = columns.get(level) as LayoutInput[];
    const barycentre = new Map<string, number>();
    for (const input of column) {
      let sum = 0;
      let count = 0;
      for (const parent of input.parents) {
        const parentRank = rank.get(parent);
        if (parentRank === undefined) continue;
        sum += parentRank;
        count += 1;
      }
      barycentre.set(input.id, count === 0 ? Number.POSITIVE_INFINITY : sum / count);
    }
    column.sort((a, b) => (barycentre.get(a.id) as number) - (barycentre.get(b.id) as number) || collator.compare(a.key, b.key) || collator.compare(a.id, b.id));
    const offset = ((tallest - column.length) * step) / 2;
    column.forEach((input, index) => {
      // Ranks are positions relative to the tallest column, so columns of different heights compare.
      rank.set(input.id, (offset + index * step) / step);
      const across = offset + index * step;
      placed.set(input.id, { id: input.id, x: vertical ? across : level * levelStep, y: vertical ? level * levelStep : across, width: options.width, height: options.height });
    });
  }
  const maxLevel = levels.at(-1) ?? 0;
  const alongLevels = (maxLevel + 1) * levelStep - (levelStep - (vertical ? options.height : options.width));
  const acrossLevels = Math.max(0, tallest * step - (step - (vertical ? options.width : options.height)));
  return { placed, bounds: { x: 0, y: 0, width: vertical ? acrossLevels : alongLevels, height: vertical ? alongLevels : acrossLevels } };
}
