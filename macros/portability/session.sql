{#-
    disable_jit(): a pre-hook for models whose SQL is large (many CASE branches and
    fuzzy comparisons per row). PostgreSQL's JIT compiles such expressions for minutes
    (measured: 232 s of JIT for a 3 s query in int_identity_pairs_scored), so it is
    switched off for the model's own transaction. Other engines need nothing.
-#}
{% macro disable_jit() -%}
    {{ return(adapter.dispatch('disable_jit', 'order_truth')()) }}
{%- endmacro %}

{% macro default__disable_jit() -%}
{%- endmacro %}

{% macro postgres__disable_jit() -%}
    set local jit = off
{%- endmacro %}

{#-
    prefer_hash_joins(): a pre-hook for int_identity_pairs_scored. PostgreSQL estimates
    the blocked keys (an aggregate with a HAVING filter) at one row and then self-joins
    them with a nested loop: 560M comparisons for 24,000 keys at 5,000 orders (21 s),
    where a hash join on the block id takes milliseconds. Nested loops are switched off
    for the model's own transaction; the 1-row cross joins still get one. Other engines
    plan these joins by hash already.
-#}
{% macro prefer_hash_joins() -%}
    {{ return(adapter.dispatch('prefer_hash_joins', 'order_truth')()) }}
{%- endmacro %}

{% macro default__prefer_hash_joins() -%}
{%- endmacro %}

{% macro postgres__prefer_hash_joins() -%}
    set local enable_nestloop = off
{%- endmacro %}
