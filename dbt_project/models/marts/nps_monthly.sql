with

stg_seller__nps_responses as (

    select * from {{ ref('stg_seller__nps_responses') }}
    where {{ rebuilt_shops_only() }}

),

valid_responses as (

    select
        shop_id,
        score,
        coalesce(channel, '(unknown)') as channel,
        cast({{ dbt.date_trunc('month', 'responded_at') }} as date) as month_start_date
    from stg_seller__nps_responses
    where
        score between 0 and 10
        and responded_at is not null

),

-- every channel on its own, plus `all` for the month
channel_rows as (

    select
        shop_id,
        month_start_date,
        channel,
        score
    from valid_responses
    union all
    select
        shop_id,
        month_start_date,
        'all' as channel,
        score
    from valid_responses

),

scored as (

    select
        shop_id,
        month_start_date,
        channel,
        count(*) as responses,
        sum(case when score >= 9 then 1 else 0 end) as promoters,
        sum(case when score between 7 and 8 then 1 else 0 end) as passives,
        sum(case when score <= 6 then 1 else 0 end) as detractors
    from channel_rows
    group by
        shop_id,
        month_start_date,
        channel

),

final as (

    select
        shop_id,
        month_start_date,
        channel,
        responses,
        promoters,
        passives,
        detractors,
        100.0 * (promoters - detractors) / responses as nps,
        responses < 30 as is_small_sample
    from scored

)

select * from final
