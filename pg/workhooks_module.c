/*
 * workhooks_module — the PostgreSQL loadable module (workhooks.so).
 *
 * One C-language function, workhooks.fields(endpoint, event, subject,
 * body) RETURNS text[] (sql/code/24-fields.sql): a stored delivery's body
 * validated again by the endpoint's own tables and checks, as the values
 * the live store bound (pg/module.h).  workhooks.rederive() calls it for
 * every delivery it derives again.  Built from the same sources as the
 * endpoints (Makefile.am, "pg/"); installed into pg_config --pkglibdir.
 *
 * Inside the backend: nothing here exits or keeps memory.  The validating
 * half (pg/fields.c) allocates with malloc and hands everything back; it
 * is freed before any ereport() can leave this function.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "module.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(workhooks_fields);

Datum
workhooks_fields(PG_FUNCTION_ARGS)
{
	char *endpoint, *event = NULL, *subject = NULL, *body = NULL;
	char **vals = NULL, err[640];
	Datum *elems;
	bool *nulls;
	int n = 0, i, dims[1], lbs[1];
	ArrayType *volatile a = NULL;

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		    errmsg("workhooks.fields: endpoint must not be NULL")));
	endpoint = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (!PG_ARGISNULL(1))
		event = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (!PG_ARGISNULL(2))
		subject = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(3))
		body = text_to_cstring(PG_GETARG_TEXT_PP(3));
	err[0] = '\0';
	if (!module_fields(endpoint, event, subject, body != NULL ? body : "",
	    body != NULL ? strlen(body) : 0, &vals, &n, err, sizeof(err)))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		    errmsg("workhooks.fields: %s: %s", endpoint, err),
		    errhint("The body was valid when it was stored; a rule "
		    "made stricter since refuses it.")));
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	/* palloc may throw: the malloc'd values are freed on every exit. */
	PG_TRY();
	{
		elems = palloc(sizeof(Datum) * n);
		nulls = palloc(sizeof(bool) * n);
		for (i = 0; i < n; i++) {
			nulls[i] = vals[i] == NULL;
			elems[i] = nulls[i] ? (Datum)0 :
			    CStringGetTextDatum(vals[i]);
		}
		dims[0] = n;
		lbs[0] = 1;
		a = construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1,
		    false, TYPALIGN_INT);
	}
	PG_FINALLY();
	{
		module_fields_free(vals, n);
	}
	PG_END_TRY();
	PG_RETURN_ARRAYTYPE_P(a);
}
