/** One statement as D1 ran it: its SQL and bound values (bench:limits logs them in workerd and replays them in Node). */
export interface BoundSql {
  sql: string;
  params: readonly unknown[];
}
