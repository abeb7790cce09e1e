/**
 * SQL for a unit's label as owners and staff say it: building name, the entrance with 单元 when the
 * building has entrances, then the room: '3栋2单元1502', '5栋0801'. `unit` and `building` are the
 * aliases of `units` and `buildings` in the statement the fragment is put into.
 */
export function unitLabelSql(unit = 'u', building = 'b'): string {
  const entrance = `CASE WHEN ${unit}.entrance <> '' THEN ${unit}.entrance || '单元' ELSE '' END`;
  return `${building}.name || ${entrance} || ${unit}.room`;
}
