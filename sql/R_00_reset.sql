-- R_00_reset: the first repeatable file.  Numbered files (001_...) change the
-- schema once; the R_ files hold every function, aggregate, view and grant and
-- are applied again, together and in name order, whenever any of them changed
-- (chisoctl db migrate compares checksums).  This one drops what they create,
-- so a changed signature or a removed function never lingers.  Data is never
-- touched: tables are not dropped.
DO $$
DECLARE
	r record;
BEGIN
	-- Views, and the composite types that the R_ files create for function
	-- results (not the row types of tables and views, which have relkind 'r'
	-- or 'v'); a type's CASCADE takes the functions that return it along.
	FOR r IN SELECT c.relname, c.relkind FROM pg_class c
		 JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'chiso' AND c.relkind IN ('v', 'c')
		 ORDER BY c.relkind = 'v' DESC
	LOOP
		EXECUTE format('DROP %s IF EXISTS chiso.%I CASCADE',
			       CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'TYPE' END, r.relname);
	END LOOP;
	FOR r IN SELECT p.oid::regprocedure::text AS sig, p.prokind FROM pg_proc p
		 JOIN pg_namespace n ON n.oid = p.pronamespace
		 WHERE n.nspname = 'chiso'
		 ORDER BY p.prokind = 'a' DESC -- aggregates before the functions they use
	LOOP
		EXECUTE format('DROP %s IF EXISTS %s CASCADE',
			       CASE r.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.sig);
	END LOOP;
END;
$$;
