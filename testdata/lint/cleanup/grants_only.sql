-- kind: cleanup
-- A prerequisites script passed as the cleanup script: it only grants.
SELECT raise_error('catalog immuta exists and was not set up by ucbootstrap for tenant acme-prod: its comment does not end with the marker [ucbootstrap v1 tenant=acme-prod]; the cleanup drops only a catalog that ucbootstrap set up for this integration')
  FROM `system`.`information_schema`.`catalogs`
  WHERE catalog_name = 'immuta' AND NOT endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-prod]');
GRANT USE CATALOG, MANAGE ON CATALOG `main` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`; -- want "UCB016 this is not a cleanup script: it grants USE CATALOG on CATALOG main"
DROP CATALOG IF EXISTS `immuta` CASCADE;
