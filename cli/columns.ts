import type { PrinterColumn } from '../services/resources/printing/columns.js'

/**
 * The columns of a kind's table: the printer columns of its definition
 * (services/resources/kinds), the wide output adding those of priority 1. The definitions are
 * loaded on the first table printed: the CLI starts faster without them.
 */
export async function columnsFor(kind: string, wide: boolean): Promise<readonly PrinterColumn[]> {
  const [{ registry }, { DEFAULT_COLUMNS }] = await Promise.all([
    import('../services/resources/registry.js'),
    import('../services/resources/printing/columns.js'),
  ])
  return (registry.get(kind)?.printerColumns ?? DEFAULT_COLUMNS).filter((column) => wide || column.priority === 0)
}
