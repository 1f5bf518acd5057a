-- Every directory change enqueues work for each interested target in the same transaction
-- (DESIGN.md: "a change writes one outbox row per interested target in the same D1 batch").
-- A trigger keeps the directory free of provisioning knowledge. Rows coalesce on
-- (target, resource): the dispatcher reads the current directory state, so the target gets the
-- latest. A row being worked on (leased) keeps its lease and records the newer change_seq, so
-- the dispatcher redoes it; a failed, dead or held row becomes pending again.
CREATE TRIGGER `changes_enqueue_outbox` AFTER INSERT ON `changes`
BEGIN
  INSERT INTO `outbox` (`target_id`, `resource_type`, `resource_id`, `state`, `change_seq`, `attempts`, `next_attempt_at`, `enqueued_at`, `updated_at`)
  SELECT t.`id`, NEW.`resource_type`, NEW.`resource_id`, 'pending', NEW.`seq`, 0, NEW.`at`, NEW.`at`, NEW.`at`
    FROM `targets` t
   WHERE t.`status` = 'active'
     AND (NEW.`resource_type` = 'User' OR t.`push_groups` = 1)
     AND (json_extract(t.`modes`, '$.automatic.enabled') = 1 OR json_extract(t.`modes`, '$.scheduled.enabled') = 1)
  ON CONFLICT (`target_id`, `resource_type`, `resource_id`) DO UPDATE SET
     `change_seq` = excluded.`change_seq`,
     `state` = CASE WHEN `outbox`.`state` = 'leased' THEN 'leased' ELSE 'pending' END,
     `attempts` = CASE WHEN `outbox`.`state` = 'leased' THEN `outbox`.`attempts` ELSE 0 END,
     `next_attempt_at` = CASE WHEN `outbox`.`state` = 'leased' THEN `outbox`.`next_attempt_at` ELSE excluded.`next_attempt_at` END,
     `approved` = 0,
     `last_error` = CASE WHEN `outbox`.`state` = 'leased' THEN `outbox`.`last_error` ELSE NULL END,
     `updated_at` = excluded.`updated_at`;
END;
