-- A cleanup script whose tenant guard comes after the DROP.
-- kind: cleanup


-- 1. Tenant guard: stop when the catalog belongs to another tenant

-- 2. Drop the governance catalog and everything in it
DROP CATALOG IF EXISTS `immuta` CASCADE;
SELECT raise_error('catalog immuta belongs to another tenant than acme-prod: give each tenant a catalog of its own') -- want "UCB013 the tenant guard comes after the DROP"
  FROM `immuta`.`immuta_system`.`integration_metadata`
  WHERE `key` = 'tenant' AND `value` <> 'acme-prod';
