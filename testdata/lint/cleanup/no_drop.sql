-- kind: cleanup
-- The cleanup script with its DROP CATALOG removed.
SELECT raise_error('catalog immuta exists and was not set up by ucbootstrap for tenant acme-prod: its comment does not end with the marker [ucbootstrap v1 tenant=acme-prod]; the cleanup drops only a catalog that ucbootstrap set up for this integration') -- want "UCB016 the cleanup script no longer drops the governance catalog immuta"
  FROM `system`.`information_schema`.`catalogs`
  WHERE catalog_name = 'immuta' AND NOT endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-prod]');
