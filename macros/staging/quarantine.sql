{#-
    quarantine_reason(checks): the first failing check's name, or NULL when the row is fine.
    `checks` is a list of (reason, condition-that-is-true-when-bad) pairs. Staging models keep
    rows whose reason is NULL; the source's quarantine model keeps the rest, so a malformed
    row is counted and inspectable, never silently dropped.
-#}
{% macro quarantine_reason(checks) -%}
    case
    {%- for reason, bad in checks %}
        when {{ bad }} then '{{ reason }}'
    {%- endfor %}
    end
{%- endmacro %}
