-- Group displayNames become unique, case-insensitively (0008: Entra ID matches groups by
-- displayName, so two groups of one name break its matching). Existing duplicates are renamed
-- first: the oldest group of each name keeps it, every later one gets its id appended, which no
-- other group can have. Each renamed group gets a new version and a change row, written first
-- while the duplicates can still be told apart (the outbox trigger then tells every target).
INSERT INTO `changes` (`resource_type`, `resource_id`, `op`, `version`, `at`)
  SELECT 'Group', g.`id`, 'update', g.`version` + 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    FROM `groups` g
   WHERE EXISTS (SELECT 1 FROM `groups` o WHERE o.`display_name_lower` = g.`display_name_lower` AND o.`pk` < g.`pk`);--> statement-breakpoint
UPDATE `groups`
   SET `display_name` = `display_name` || ' (' || `id` || ')',
       `display_name_lower` = `display_name_lower` || ' (' || lower(`id`) || ')',
       `data` = json_set(`data`, '$.displayName', `display_name` || ' (' || `id` || ')'),
       `version` = `version` + 1,
       `last_modified` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE EXISTS (SELECT 1 FROM `groups` o WHERE o.`display_name_lower` = `groups`.`display_name_lower` AND o.`pk` < `groups`.`pk`);
