-- kind: cleanup
-- A prerequisites script passed as the cleanup script: it only grants.
SELECT raise_error('catalog immuta belongs to another tenant than acme-prod: give each tenant a catalog of its own')
  FROM `immuta`.`immuta_system`.`integration_metadata`
  WHERE `key` = 'tenant' AND `value` <> 'acme-prod';
GRANT USE CATALOG, MANAGE ON CATALOG `main` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`; -- want "UCB016 this is not a cleanup script: it grants USE CATALOG on CATALOG main"
DROP CATALOG IF EXISTS `immuta` CASCADE;
