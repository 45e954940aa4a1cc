with

int_orders_aggregated as (

    select * from {{ ref('int_orders_aggregated') }}
    where {{ rebuilt_shops_only() }}

),

counted_orders as (

    select * from int_orders_aggregated
    where {{ is_customer_order() }}

),

customer_totals as (

    select
        shop_id,
        customer_key,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as orders,
        sum(units) as units,
        sum(gmv_idr) as gmv_idr,
        sum(refund_idr) as refund_idr
    from counted_orders
    group by
        shop_id,
        customer_key

),

province_counts as (

    select
        shop_id,
        customer_key,
        province,
        count(*) as province_orders,
        max(created_at) as last_created_at
    from counted_orders
    where province is not null
    group by
        shop_id,
        customer_key,
        province

),

-- most frequent province; ties go to the most recent one
main_provinces as (

    select
        shop_id,
        customer_key,
        province,
        row_number() over (
            partition by shop_id, customer_key
            order by province_orders desc, last_created_at desc, province asc
        ) as province_rank
    from province_counts

),

final as (

    select
        customer_totals.shop_id,
        customer_totals.customer_key,
        customer_totals.first_order_date,
        customer_totals.last_order_date,
        customer_totals.orders,
        customer_totals.units,
        customer_totals.gmv_idr,
        customer_totals.refund_idr,
        main_provinces.province,
        customer_totals.gmv_idr - customer_totals.refund_idr as net_revenue_idr,
        customer_totals.orders >= {{ var('repeat_buyer_orders') }} as is_repeat_buyer
    from customer_totals
    left join main_provinces
        on
            customer_totals.shop_id = main_provinces.shop_id
            and customer_totals.customer_key = main_provinces.customer_key
            and main_provinces.province_rank = 1

)

select * from final
