-- One row per day and disagreement class (recon_date, disagreement_class): the nightly
-- three-way check of CRM, OMS and carrier. Classes: the OMS ships to another address than
-- the latest order version (address_storefront_vs_oms), the CRM's address for the customer
-- differs from where the order ships (address_crm_vs_oms), the OMS status lags the
-- carrier's (status_oms_vs_carrier), and the order's customer is unknown to the CRM
-- (customer_missing_in_crm).
with

orders as (

    select * from {{ ref('fct_orders') }}
    where not is_cancelled

),

customers as (

    select * from {{ ref('dim_customers') }}

),

wrong_address as (

    select distinct order_id
    from {{ ref('fct_order_exceptions') }}
    where exception_class = 'wrong_address_version'

),

classified as (

    select
        cast(orders.placed_at as date) as recon_date,
        orders.order_id,
        wrong_address.order_id is not null as is_address_storefront_vs_oms,
        customers.crm_contact_count > 0 and customers.has_address_conflict
            as is_address_crm_vs_oms,
        orders.is_in_flight
        and not orders.is_status_in_sync as is_status_oms_vs_carrier,
        coalesce(customers.crm_contact_count, 0)
        = 0 as is_customer_missing_in_crm
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    left join wrong_address
        on orders.order_id = wrong_address.order_id

),

unpivoted as (

    {% set classes = ['address_storefront_vs_oms', 'address_crm_vs_oms',
                      'status_oms_vs_carrier', 'customer_missing_in_crm'] %}
    {% for c in classes %}
    select
        recon_date,
        '{{ c }}' as disagreement_class,
        count(*) as orders_checked,
        sum(case when is_{{ c }} then 1 else 0 end) as orders_disagreeing
    from classified
    group by recon_date
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        recon_date,
        disagreement_class,
        cast(orders_checked as bigint) as orders_checked,
        cast(orders_disagreeing as bigint) as orders_disagreeing,
        cast(orders_disagreeing as {{ type_double() }})
        / nullif(orders_checked, 0)
            as disagreement_rate
    from unpivoted

)

select * from final
