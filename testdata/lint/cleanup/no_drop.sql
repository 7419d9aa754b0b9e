-- kind: cleanup
-- The cleanup script with its DROP CATALOG removed.
SELECT raise_error('catalog immuta belongs to another tenant than acme-prod: give each tenant a catalog of its own') -- want "UCB016 the cleanup script no longer drops the governance catalog immuta"
  FROM `immuta`.`immuta_system`.`integration_metadata`
  WHERE `key` = 'tenant' AND `value` <> 'acme-prod';
