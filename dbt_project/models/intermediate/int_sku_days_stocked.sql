-- A table, not a view like the rest of intermediate: two marts read it and three data tests check it;
-- as a view each of those five recomputed it over every order line and stock snapshot (at 5M order
-- lines about 40 s of node time per build, docs/performance.md). Incremental by shop like the marts.
{{ config(materialized='incremental', incremental_strategy='shop_replace', on_schema_change='fail') }}

with

stg_tiktok__order_lines as (

    select * from {{ ref('stg_tiktok__order_lines') }}
    where {{ rebuilt_shops_only() }}

),

stg_tiktok__product_snapshots as (

    select * from {{ ref('stg_tiktok__product_snapshots') }}
    where {{ rebuilt_shops_only() }}

),

order_lines as (

    select
        shop_id,
        sku_id,
        order_id,
        order_date,
        created_at,
        shipped_at,
        order_status_category,
        is_counted,
        quantity,
        returned_quantity,
        subtotal_after_discount_idr
    from stg_tiktok__order_lines
    where order_date is not null

),

activity_dates as (

    select
        shop_id,
        order_date as activity_date
    from order_lines
    union all
    select
        shop_id,
        snapshot_date as activity_date
    from stg_tiktok__product_snapshots

),

shop_ranges as (

    select
        shop_id,
        min(activity_date) as first_date,
        max(activity_date) as as_of_date
    from activity_dates
    group by shop_id

),

shop_days as (

    {{ shop_day_spine('shop_ranges', 'first_date', 'as_of_date', carry=['as_of_date']) }}

),

shop_skus as (

    select
        shop_id,
        sku_id
    from order_lines
    union
    select
        shop_id,
        sku_id
    from stg_tiktok__product_snapshots

),

sku_days as (

    select
        shop_skus.shop_id,
        shop_skus.sku_id,
        shop_days.date,
        shop_days.day_index,
        shop_days.as_of_date,
        cast({{ dbt.dateadd('day', 1, 'shop_days.date') }} as {{ dbt.type_timestamp() }}) as day_end_at
    from shop_skus
    inner join shop_days
        on shop_skus.shop_id = shop_days.shop_id

),

daily_sales as (

    {{ counted_sku_day_sales('order_lines') }}

),

sales_cumulated as (

    select
        sku_days.shop_id,
        sku_days.sku_id,
        sku_days.date,
        sku_days.day_index,
        sku_days.as_of_date,
        sku_days.day_end_at,
        coalesce(daily_sales.orders, 0) as orders,
        coalesce(daily_sales.units, 0) as units,
        coalesce(daily_sales.gmv_idr, 0) as gmv_idr,
        coalesce(daily_sales.returned_units, 0) as returned_units,
        {{ running_total('daily_sales.units', ['sku_days.shop_id', 'sku_days.sku_id'], 'sku_days.date') }}
            as cumulative_units
    from sku_days
    left join daily_sales
        on
            sku_days.shop_id = daily_sales.shop_id
            and sku_days.sku_id = daily_sales.sku_id
            and sku_days.date = daily_sales.order_date

),

-- counted units ordered up to each snapshot, to subtract only what sold after it
snapshots_anchored as (

    select
        stg_tiktok__product_snapshots.shop_id,
        stg_tiktok__product_snapshots.sku_id,
        stg_tiktok__product_snapshots.snapshot_at,
        stg_tiktok__product_snapshots.stock_quantity,
        coalesce({{ counted_units('order_lines') }}, 0) as units_before_snapshot
    from stg_tiktok__product_snapshots
    left join order_lines
        on
            stg_tiktok__product_snapshots.shop_id = order_lines.shop_id
            and stg_tiktok__product_snapshots.sku_id = order_lines.sku_id
            and stg_tiktok__product_snapshots.snapshot_at >= order_lines.created_at
    group by
        stg_tiktok__product_snapshots.shop_id,
        stg_tiktok__product_snapshots.sku_id,
        stg_tiktok__product_snapshots.snapshot_at,
        stg_tiktok__product_snapshots.stock_quantity

),

-- the latest snapshot taken by the end of the day; before the first snapshot, the first one
snapshot_choices as (

    select
        sales_cumulated.shop_id,
        sales_cumulated.sku_id,
        sales_cumulated.date,
        snapshots_anchored.snapshot_at,
        snapshots_anchored.stock_quantity,
        snapshots_anchored.units_before_snapshot,
        row_number() over (
            partition by sales_cumulated.shop_id, sales_cumulated.sku_id, sales_cumulated.date
            order by
                case when snapshots_anchored.snapshot_at < sales_cumulated.day_end_at then 0 else 1 end asc,
                case
                    when snapshots_anchored.snapshot_at < sales_cumulated.day_end_at
                        then snapshots_anchored.snapshot_at
                end desc,
                snapshots_anchored.snapshot_at asc
        ) as snapshot_rank
    from sales_cumulated
    inner join snapshots_anchored
        on
            sales_cumulated.shop_id = snapshots_anchored.shop_id
            and sales_cumulated.sku_id = snapshots_anchored.sku_id

),

-- a counted line is open (sold, not yet shipped) from its order day until the day before it ships
open_lines as (

    select
        order_lines.shop_id,
        order_lines.sku_id,
        order_lines.quantity,
        order_lines.order_date as open_from_date,
        case
            when order_lines.shipped_at is not null
                then cast({{ dbt.dateadd('day', -1, 'cast(order_lines.shipped_at as date)') }} as date)
            else shop_ranges.as_of_date
        end as open_to_date
    from order_lines
    inner join shop_ranges
        on order_lines.shop_id = shop_ranges.shop_id
    where
        order_lines.is_counted
        and (order_lines.shipped_at is not null or order_lines.order_status_category = 'to_ship')

),

-- each open line adds its units on the day it opens and takes them away the day after it closes: the running
-- sum of those changes over the SKU's days is what is open on each day. (Joining every open line to every day
-- of its range cost lines x days per SKU, the largest part of this model at 5M order lines.) A line that ships
-- the day it is ordered is never open.
open_changes as (

    select
        shop_id,
        sku_id,
        open_from_date as change_date,
        quantity as open_units_change
    from open_lines
    where open_to_date >= open_from_date
    union all
    select
        shop_id,
        sku_id,
        cast({{ dbt.dateadd('day', 1, 'open_to_date') }} as date) as change_date,
        -quantity as open_units_change
    from open_lines
    where open_to_date >= open_from_date

),

open_changes_daily as (

    select
        shop_id,
        sku_id,
        change_date,
        sum(open_units_change) as open_units_change
    from open_changes
    group by
        shop_id,
        sku_id,
        change_date

),

open_units as (

    select
        sales_cumulated.shop_id,
        sales_cumulated.sku_id,
        sales_cumulated.date,
        {{ running_total(
            'open_changes_daily.open_units_change',
            ['sales_cumulated.shop_id', 'sales_cumulated.sku_id'],
            'sales_cumulated.date',
        ) }} as open_order_units
    from sales_cumulated
    left join open_changes_daily
        on
            sales_cumulated.shop_id = open_changes_daily.shop_id
            and sales_cumulated.sku_id = open_changes_daily.sku_id
            and sales_cumulated.date = open_changes_daily.change_date

),

final as (

    select
        sales_cumulated.shop_id,
        sales_cumulated.sku_id,
        sales_cumulated.date,
        sales_cumulated.day_index,
        sales_cumulated.as_of_date,
        sales_cumulated.orders,
        sales_cumulated.units,
        sales_cumulated.gmv_idr,
        sales_cumulated.returned_units,
        snapshot_choices.snapshot_at,
        snapshot_choices.stock_quantity as snapshot_stock_quantity,
        snapshot_choices.stock_quantity + snapshot_choices.units_before_snapshot
        - sales_cumulated.cumulative_units as stock_on_hand,
        coalesce(open_units.open_order_units, 0) as open_order_units
    from sales_cumulated
    left join snapshot_choices
        on
            sales_cumulated.shop_id = snapshot_choices.shop_id
            and sales_cumulated.sku_id = snapshot_choices.sku_id
            and sales_cumulated.date = snapshot_choices.date
            and snapshot_choices.snapshot_rank = 1
    left join open_units
        on
            sales_cumulated.shop_id = open_units.shop_id
            and sales_cumulated.sku_id = open_units.sku_id
            and sales_cumulated.date = open_units.date

)

select * from final
