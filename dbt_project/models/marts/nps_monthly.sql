with

stg_seller__nps_responses as (

    select * from {{ ref('stg_seller__nps_responses') }}
    where {{ rebuilt_shops_only() }}

),

valid_responses as (

    select
        shop_id,
        {{ nps_band('score') }} as nps_band,
        coalesce(channel, '(unknown)') as channel,
        cast({{ dbt.date_trunc('month', 'responded_at') }} as date) as month_start_date
    from stg_seller__nps_responses
    where
        {{ is_nps_score('score') }}
        and responded_at is not null

),

-- every channel on its own, plus `all` for the month
channel_rows as (

    select
        shop_id,
        month_start_date,
        channel,
        nps_band
    from valid_responses
    union all
    select
        shop_id,
        month_start_date,
        'all' as channel,
        nps_band
    from valid_responses

),

scored as (

    select
        shop_id,
        month_start_date,
        channel,
        count(*) as responses,
        {{ nps_band_counts() }}
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
        {{ nps('promoters', 'detractors', 'responses') }} as nps,
        responses < {{ var('nps_small_sample_responses') }} as is_small_sample
    from scored

)

select * from final
