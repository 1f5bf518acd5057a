/**
 * What a target holds for approval, in words: account creations held by the creation threshold
 * (issue #13) and deactivations/deletions held by the deletion threshold. Shared by the console
 * and the People page's banner.
 */

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const creationWords = (n: number) => plural(n, 'account creation', 'account creations');
export const deletionWords = (n: number) => plural(n, 'deactivation or deletion', 'deactivations or deletions');

/** "3 account creations and 1 deactivation or deletion", leaving out a kind that holds nothing; "" when nothing is held. */
export function heldWords(creations: number, deletions: number): string {
  return [creations > 0 ? creationWords(creations) : '', deletions > 0 ? deletionWords(deletions) : ''].filter(Boolean).join(' and ');
}
