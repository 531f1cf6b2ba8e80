{#-
    Spark has no Jaro-Winkler and no Damerau-Levenshtein. These build them from
    Spark's higher-order functions (aggregate, transform, filter) so identity
    resolution gives the same answer as DuckDB (see macros/identity/compare.sql). Both
    work on UTF-8 bytes, as DuckDB does. `transform(array(v), s -> ...)[0]` binds a
    value once, so an expression is not repeated in the generated SQL.
-#}

{#- DuckDB's jaro_winkler_similarity (match window max(len)/2 - 1; the common prefix,
    up to 4, boosts by 0.1 only above 0.7). -#}
{% macro spark_jaro_winkler(a, b) -%}
    {%- set window = 'greatest(cast(greatest(p.l1, p.l2) / 2 as int) - 1, 0)' -%}
    {%- set lo = 'greatest(1, i - ' ~ window ~ ')' -%}
    {%- set hi = 'least(p.l2, i + ' ~ window ~ ')' -%}
transform(array(named_struct(
    'x', encode({{ a }}, 'UTF-8'), 'y', encode({{ b }}, 'UTF-8')
)), s -> transform(array(named_struct(
    'x', s.x, 'y', s.y, 'l1', length(s.x), 'l2', length(s.y)
)), p -> transform(array(
    aggregate(
        slice(sequence(1, greatest(p.l1, 1)), 1, p.l1),
        filter(array(named_struct('i', 0, 'j', 0)), q -> false),
        (acc, i) -> concat(acc, slice(transform(filter(
            sequence({{ lo }}, greatest({{ hi }}, 1)),
            j -> j between {{ lo }} and {{ hi }}
                and substr(p.y, j, 1) = substr(p.x, i, 1)
                and not array_contains(transform(acc, q -> q.j), j)
        ), j -> named_struct('i', i, 'j', j)), 1, 1))
    )
), mt -> transform(array(named_struct(
    'm', size(mt),
    't', aggregate(zip_with(
        transform(mt, q -> substr(p.x, q.i, 1)),
        transform(array_sort(transform(mt, q -> q.j)), j -> substr(p.y, j, 1)),
        (u, v) -> case when u = v then 0 else 1 end
    ), 0, (n, z) -> n + z) div 2,
    'prefix', aggregate(
        sequence(1, 4), named_struct('n', 0, 'on', true),
        (st, k) -> case
            when st.on and k <= least(p.l1, p.l2)
                and substr(p.x, k, 1) = substr(p.y, k, 1)
                then named_struct('n', st.n + 1, 'on', true)
            else named_struct('n', st.n, 'on', false)
        end
    ).n
)), r -> transform(array(
    case when r.m = 0 then cast(0 as double)
    else (r.m / p.l1 + r.m / p.l2 + (r.m - r.t) / r.m) / 3.0 end
), jaro -> case
    when jaro <= 0.7 then jaro
    else jaro + r.prefix * cast(0.1 as double) * (1.0 - jaro)
end)[0])[0])[0])[0])[0]
{%- endmacro %}

{#- Optimal string alignment distance on bytes, row by row of the edit matrix. -#}
{% macro spark_osa_distance(a, b) -%}
transform(array(named_struct(
    'x', encode({{ a }}, 'UTF-8'), 'y', encode({{ b }}, 'UTF-8')
)), s -> transform(array(named_struct(
    'x', s.x, 'y', s.y, 'l1', length(s.x), 'l2', length(s.y)
)), p -> element_at(aggregate(
    slice(sequence(1, greatest(p.l1, 1)), 1, p.l1),
    named_struct('p2', sequence(0, p.l2), 'p1', sequence(0, p.l2)),
    (st, i) -> named_struct('p2', st.p1, 'p1', aggregate(
        slice(sequence(1, greatest(p.l2, 1)), 1, p.l2),
        array(i),
        (row, j) -> concat(row, array(least(
            element_at(st.p1, j + 1) + 1,
            element_at(row, j) + 1,
            element_at(st.p1, j)
            + case when substr(p.x, i, 1) = substr(p.y, j, 1) then 0 else 1 end,
            case
                when i > 1 and j > 1
                    and substr(p.x, i, 1) = substr(p.y, j - 1, 1)
                    and substr(p.x, i - 1, 1) = substr(p.y, j, 1)
                    then element_at(st.p2, greatest(j - 1, 1)) + 1
                else p.l1 + p.l2
            end
        )))
    ))
).p1, p.l2 + 1))[0])[0]
{%- endmacro %}
