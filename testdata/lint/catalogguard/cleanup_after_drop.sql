-- A cleanup script whose catalog guard comes after the DROP.
-- kind: cleanup

-- 1. Catalog guard: stop unless the catalog is absent or this integration's own

-- 2. Drop the governance catalog and everything in it
DROP CATALOG IF EXISTS `immuta` CASCADE;
-- catalog guard: stops when the catalog exists without this integration's marker
SELECT raise_error('catalog immuta exists and was not set up by ucbootstrap for tenant acme-prod: its comment does not end with the marker [ucbootstrap v1 tenant=acme-prod]; the cleanup drops only a catalog that ucbootstrap set up for this integration') -- want "UCB013 the catalog guard comes after the DROP"
  FROM `system`.`information_schema`.`catalogs`
  WHERE catalog_name = 'immuta' AND NOT endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-prod]');
