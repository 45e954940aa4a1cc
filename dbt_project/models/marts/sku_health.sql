{#- the days of the short and the long window, ending on as_of_date -#}
{%- set short_start = dbt.dateadd('day', -var('sku_health_short_days'), 'as_of_date') -%}
{%- set long_start = dbt.dateadd('day', -var('sku_health_long_days'), 'as_of_date') -%}
{%- set in_short_window = "date > cast(" ~ short_start ~ " as date)" -%}
{%- set in_long_window = "date > cast(" ~ long_start ~ " as date)" -%}

with

int_sku_days_stocked as (

    select * from {{ ref('int_sku_days_stocked') }}
    where {{ rebuilt_shops_only() }}

),

stg_tiktok__products as (

    select * from {{ ref('stg_tiktok__products') }}
    where {{ rebuilt_shops_only() }}

),

windows as (

    select
        shop_id,
        sku_id,
        max(as_of_date) as as_of_date,
        sum(case when {{ in_short_window }} then units else 0 end) as units_7d,
        sum(case when {{ in_short_window }} then gmv_idr else 0 end) as gmv_7d_idr,
        sum(case when {{ in_long_window }} then units else 0 end) as units_28d,
        sum(case when {{ in_long_window }} then gmv_idr else 0 end) as gmv_28d_idr,
        sum(case when {{ in_long_window }} then returned_units else 0 end) as returned_units_28d,
        sum(units) as units_total,
        sum(gmv_idr) as gmv_total_idr,
        sum(returned_units) as returned_units_total,
        max(case when units > 0 then date end) as last_sale_date
    from int_sku_days_stocked
    group by
        shop_id,
        sku_id

),

ranked as (

    select
        *,
        rank() over (partition by shop_id order by units_7d desc, gmv_7d_idr desc) as best_seller_rank_7d,
        rank() over (partition by shop_id order by units_28d desc, gmv_28d_idr desc) as best_seller_rank_28d
    from windows

),

final as (

    select
        ranked.shop_id,
        ranked.sku_id,
        stg_tiktok__products.seller_sku,
        stg_tiktok__products.product_name,
        stg_tiktok__products.price_idr,
        ranked.as_of_date,
        ranked.units_7d,
        ranked.gmv_7d_idr,
        ranked.units_28d,
        ranked.gmv_28d_idr,
        ranked.returned_units_28d,
        cast(ranked.returned_units_28d as {{ type_double() }}) / nullif(ranked.units_28d, 0) as return_rate_28d,
        ranked.units_total,
        ranked.gmv_total_idr,
        ranked.returned_units_total,
        cast(ranked.returned_units_total as {{ type_double() }}) / nullif(ranked.units_total, 0) as return_rate,
        ranked.best_seller_rank_7d,
        ranked.best_seller_rank_28d,
        ranked.last_sale_date,
        stg_tiktok__products.stock_quantity as stock_on_hand,
        stg_tiktok__products.snapshot_at as stock_snapshot_at
    from ranked
    left join stg_tiktok__products
        on
            ranked.shop_id = stg_tiktok__products.shop_id
            and ranked.sku_id = stg_tiktok__products.sku_id

)

select * from final
