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
