{#-
    newest_version_rank(): 1 for the latest version of each storefront order, over rows
    of stg_storefront__orders (one row per order_id and order_version). The one rule for
    "an order at its latest version": int_orders_versioned keeps these rows, and
    int_person_records_unioned takes guest orders from staging by the same rule so that
    identity resolution need not wait for the order models.
-#}
{% macro newest_version_rank() -%}
    row_number() over (partition by order_id order by order_version desc)
{%- endmacro %}
