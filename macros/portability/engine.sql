{#-
    prepare_engine(): on-run-start work an engine needs before any model runs.
    PostgreSQL: the fuzzystrmatch extension (levenshtein), and the two fuzzy functions
    DuckDB has built in and PostgreSQL lacks, written as SQL functions in the target
    schema so identity resolution gives the same customers on both (see
    macros/identity/compare.sql). Other engines need nothing.
-#}
{% macro prepare_engine() -%}
    {{ return(adapter.dispatch('prepare_engine', 'order_truth')()) }}
{%- endmacro %}

{% macro default__prepare_engine() -%}
    select 1
{%- endmacro %}

{#- DuckDB: its thread count, set here at run time rather than in profiles.yml. Profile
    settings are part of dbt's partial-parse key, and `order-truth build` gives full and
    incremental runs different counts (DECISIONLOG): in the profile, every switch cost a
    full re-parse (4 s). Unset, DuckDB uses every core. `threads` is a global setting, so
    one SET covers the connections of every dbt thread. -#}
{% macro duckdb__prepare_engine() -%}
    {%- set threads = var('duckdb_threads', env_var('ORDER_TRUTH_DUCKDB_THREADS', ''))
        if execute else '' -%}
    {%- if threads | string | length > 0 -%}
    set threads = {{ threads | int }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{% macro postgres__prepare_engine() -%}
create extension if not exists fuzzystrmatch;
create schema if not exists {{ target.schema }};

-- DuckDB's jaro_winkler_similarity: Jaro on UTF-8 bytes, match window
-- max(len)/2 - 1, the common prefix (up to 4) boosts by 0.1 only above 0.7.
create or replace function {{ target.schema }}.jaro_winkler_similarity(a text, b text)
returns double precision language plpgsql immutable strict parallel safe as $fn$
declare
    x bytea := convert_to(a, 'UTF8');
    y bytea := convert_to(b, 'UTF8');
    l1 int := length(x);
    l2 int := length(y);
    w int;
    used boolean[];
    a_pos int[] := '{}';
    m int := 0;
    t int := 0;
    k int := 0;
    p int := 0;
    jaro double precision;
begin
    if l1 = 0 or l2 = 0 then
        return 0;
    end if;
    w := greatest(greatest(l1, l2) / 2 - 1, 0);
    used := array_fill(false, array[l2]);
    for i in 0 .. l1 - 1 loop
        for j in greatest(0, i - w) .. least(l2 - 1, i + w) loop
            if not used[j + 1] and get_byte(x, i) = get_byte(y, j) then
                used[j + 1] := true;
                a_pos := a_pos || i;
                m := m + 1;
                exit;
            end if;
        end loop;
    end loop;
    if m = 0 then
        return 0;
    end if;
    for j in 0 .. l2 - 1 loop
        if used[j + 1] then
            k := k + 1;
            if get_byte(y, j) <> get_byte(x, a_pos[k]) then
                t := t + 1;
            end if;
        end if;
    end loop;
    t := t / 2;
    jaro := (m::double precision / l1 + m::double precision / l2
        + (m - t)::double precision / m) / 3.0;
    if jaro <= 0.7 then
        return jaro;
    end if;
    while p < least(4, l1, l2) and get_byte(x, p) = get_byte(y, p) loop
        p := p + 1;
    end loop;
    return jaro + p * 0.1::double precision * (1.0 - jaro);
end
$fn$;

-- Optimal string alignment distance (Levenshtein plus adjacent swaps) on bytes.
create or replace function {{ target.schema }}.osa_distance(a text, b text)
returns integer language plpgsql immutable strict parallel safe as $fn$
declare
    x bytea := convert_to(a, 'UTF8');
    y bytea := convert_to(b, 'UTF8');
    l1 int := length(x);
    l2 int := length(y);
    d int[];
    cost int;
    w int := l2 + 1;
begin
    d := array_fill(0, array[(l1 + 1) * (l2 + 1)]);
    for i in 0 .. l1 loop
        d[i * w + 1] := i;
    end loop;
    for j in 0 .. l2 loop
        d[j + 1] := j;
    end loop;
    for i in 1 .. l1 loop
        for j in 1 .. l2 loop
            cost := case when get_byte(x, i - 1) = get_byte(y, j - 1) then 0 else 1 end;
            d[i * w + j + 1] := least(d[(i - 1) * w + j + 1] + 1, d[i * w + j] + 1,
                d[(i - 1) * w + j] + cost);
            if i > 1 and j > 1 and get_byte(x, i - 1) = get_byte(y, j - 2)
                and get_byte(x, i - 2) = get_byte(y, j - 1) then
                d[i * w + j + 1] := least(d[i * w + j + 1], d[(i - 2) * w + j - 1] + 1);
            end if;
        end loop;
    end loop;
    return d[l1 * w + l2 + 1];
end
$fn$
{%- endmacro %}
